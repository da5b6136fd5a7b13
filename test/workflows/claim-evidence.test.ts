// Evidence a tenant can trust, in the claim workflow on the time-skipping server with the
// real activities, a real database and the fake Graph API over HTTP: one comment rewards one claim
// (also when both claims verify at once: the database's unique key decides), evidence older than
// the task does not count, and a proof-code claim is verified by the code whoever commented.
import { randomUUID } from 'node:crypto';
import { claimWorkflowId } from '../../workflows/definitions.js';
import { useClaimTestWorld } from './claim-support.js';
import { instagramWebhooksActive, seedClaim, type SeededClaim } from '../support/factories.js';

const world = useClaimTestWorld({ metaAppSecret: 'claim-evidence-secret', providerKey: 'tenant-provider-key' });

/** A tenant whose Instagram token reads one media, with a META_API comment task on it and a first claim. */
async function instagramCommentTask(options: { handle?: string; requireProofCode?: boolean } = {}) {
  const account = world.fakeMeta.addInstagramAccount({ username: 'acme.store' });
  const media = world.fakeMeta.addInstagramMedia({ ownerId: account.id });
  const token = world.fakeMeta.addToken({ scopes: ['instagram_basic', 'instagram_manage_comments'], assets: [account.id, media.id] });
  const first = await seedClaim(world.database.db, world.harness.secrets, {
    providerUrl: world.provider.sendUrl,
    providerKey: world.provider.apiKey,
    metaConfig: { instagramAccountId: account.id, instagramToken: token.token },
    handle: options.handle ?? '@famous.fan',
    task: {
      platform: 'INSTAGRAM',
      actionType: 'COMMENT',
      targetId: media.id,
      verificationStrategy: 'META_API',
      fallbackStrategy: 'MANUAL',
      spinsReward: 5,
    },
  });

  if (options.requireProofCode) await world.database.db.socialMediaTask.update({ where: { id: first.taskId }, data: { requireProofCode: true } });
  // Comment webhooks are on: what the index does not hold is not on the post.
  await instagramWebhooksActive(world.database.db, first.tenantId, account.id);
  return { media, first };
}

/** Another end user's claim of the same task (written directly, as a claim from before handles were bound would be). */
async function anotherClaim(of: SeededClaim, handle: string, proofCode?: string): Promise<string> {
  const user = await world.database.db.endUser.create({
    data: { tenantId: of.tenantId, name: 'Bea', phone: `+5198${Math.floor(1e6 + Math.random() * 8e6)}` },
  });
  const id = randomUUID();
  await world.database.db.claim.create({
    data: {
      id,
      tenantId: of.tenantId,
      campaignId: of.campaignId,
      taskId: of.taskId,
      userId: user.id,
      handle,
      workflowId: claimWorkflowId(id),
      proofCode: proofCode ?? null,
    },
  });
  return id;
}

const row = (claimId: string) => world.database.db.claim.findUniqueOrThrow({ where: { id: claimId } });

test('two claims naming the handle of one comment: the first is VERIFIED, the second EVIDENCE_ALREADY_USED', async () => {
  const { media, first } = await instagramCommentTask();
  const comment = world.fakeMeta.addInstagramComment(media.id, { username: 'famous.fan', text: 'Love it' });
  const second = await anotherClaim(first, 'famous.fan');

  expect(await (await world.harness.startClaim(first.claimId)).result()).toMatchObject({ status: 'VERIFIED' });
  expect(await (await world.harness.startClaim(second)).result()).toMatchObject({ status: 'FAILED' });

  expect(await row(first.claimId)).toMatchObject({ status: 'VERIFIED', reason: 'VERIFIED_BY_META', spinsAwarded: 5 });
  const refused = await row(second);
  expect(refused).toMatchObject({ status: 'FAILED', reason: 'EVIDENCE_ALREADY_USED', spinsAwarded: 0 });
  expect(refused.detail).toMatch(/already verified another claim/);
  expect(await world.database.db.evidenceUse.findMany({ where: { taskId: first.taskId } })).toEqual([
    expect.objectContaining({ claimId: first.claimId, evidenceKey: `instagram_comment:${comment.id}` }),
  ]);
  expect(await world.database.db.spinCredit.count({ where: { claim: { taskId: first.taskId } } })).toBe(1);
});

test('the same two claims verifying at once: exactly one is VERIFIED, whichever wins the unique key', async () => {
  const { media, first } = await instagramCommentTask();
  world.fakeMeta.addInstagramComment(media.id, { username: 'famous.fan', text: 'Love it' });
  const others = await Promise.all([anotherClaim(first, '@Famous.Fan'), anotherClaim(first, 'famous.fan'), anotherClaim(first, 'FAMOUS.FAN')]);
  const ids = [first.claimId, ...others];

  // All four wait on timers that fire together, so their verifications run at the same time.
  // (Results are awaited one by one: concurrent result() calls stall the time-skipping server.)
  const handles = await Promise.all(ids.map((id) => world.harness.startClaim(id)));
  const results = [];
  for (const handle of handles) results.push(await handle.result());

  expect(results.filter((result) => result.status === 'VERIFIED')).toHaveLength(1);
  const rows = await Promise.all(ids.map(row));
  expect(rows.filter((r) => r.status === 'VERIFIED')).toHaveLength(1);
  expect(rows.filter((r) => r.status === 'FAILED').map((r) => r.reason)).toEqual([
    'EVIDENCE_ALREADY_USED',
    'EVIDENCE_ALREADY_USED',
    'EVIDENCE_ALREADY_USED',
  ]);
  expect(await world.database.db.spinCredit.count({ where: { claim: { taskId: first.taskId } } })).toBe(1);
});

test('a second comment by the same person can verify a second claim: only the used one is refused', async () => {
  const { media, first } = await instagramCommentTask();
  world.fakeMeta.addInstagramComment(media.id, { username: 'famous.fan', text: 'one' });
  world.fakeMeta.addInstagramComment(media.id, { username: 'famous.fan', text: 'two' });
  const second = await anotherClaim(first, 'famous.fan');
  await (await world.harness.startClaim(first.claimId)).result();
  await (await world.harness.startClaim(second)).result();
  expect((await row(second)).status).toBe('VERIFIED');
  expect(await world.database.db.evidenceUse.count({ where: { taskId: first.taskId } })).toBe(2);
});

test('a comment older than the task does not count, and the detail says so', async () => {
  const { media, first } = await instagramCommentTask();
  const task = await world.database.db.socialMediaTask.findUniqueOrThrow({ where: { id: first.taskId } });
  world.fakeMeta.addInstagramComment(media.id, { username: 'famous.fan', text: 'from last year', atMs: task.createdAt.getTime() - 3_600_000 });

  expect(await (await world.harness.startClaim(first.claimId)).result()).toMatchObject({ status: 'FAILED' });
  const refused = await row(first.claimId);
  expect(refused).toMatchObject({ status: 'FAILED', reason: 'EVIDENCE_PREDATES_TASK', spinsAwarded: 0 });
  expect(refused.detail).toMatch(/predated the task/);
  expect(await world.database.db.evidenceUse.count({ where: { taskId: first.taskId } })).toBe(0);
});

test('a proof-code claim is verified by the comment carrying its code, whoever wrote it; a comment by the handle without it does not count', async () => {
  const { media, first } = await instagramCommentTask({ handle: 'ana.ig', requireProofCode: true });
  await world.database.db.claim.update({ where: { id: first.claimId }, data: { proofCode: 'SPIN-7K4Q2M' } });
  world.fakeMeta.addInstagramComment(media.id, { username: 'ana.ig', text: 'no code here' });
  const coded = world.fakeMeta.addInstagramComment(media.id, { username: 'ana_second_account', text: 'me encanta! spin-7k4q2m' });
  // A claim whose code nobody wrote fails, although its handle commented.
  const uncoded = await anotherClaim(first, 'ana.ig', 'SPIN-ZZZZZZ');

  expect(await (await world.harness.startClaim(first.claimId)).result()).toMatchObject({ status: 'VERIFIED' });
  expect((await row(first.claimId)).evidence).toMatchObject({ commentId: coded.id, username: 'ana_second_account', matchedOn: 'proof_code' });
  expect(await (await world.harness.startClaim(uncoded)).result()).toMatchObject({ status: 'FAILED' });
  expect((await row(uncoded)).detail).toMatch(/with the code SPIN-ZZZZZZ/);
});
