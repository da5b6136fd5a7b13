// End users' data rights through the HTTP API: GET /end-users/:id/export (everything we hold about
// the person) and DELETE /end-users/:id (erasure), against rows in every table that references the
// user or holds their words or number. After erasure nothing personal is left in any table, the
// tenant's counts and spins are unchanged, the user's token fails, and a claim whose workflow is
// waiting to notify them finishes without sending.
import { randomUUID } from 'node:crypto';
import { startFakeWhatsappProvider, type FakeWhatsappProvider } from '../fakes/fake-whatsapp-provider.js';
import { eventually } from '../support/eventually.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { createTwoTenants, seedCampaign, seedTask } from '../support/factories.js';

let system: TestSystem;
let provider: FakeWhatsappProvider;
let tenantId: string;
let otherTenantId: string;
let admin: string;

beforeAll(async () => {
  provider = await startFakeWhatsappProvider({ apiKey: 'data-rights-provider-key' });
  system = await startTestSystem({ env: { CLAIM_VERIFY_DELAY: '500ms' } });
  ({ tenantId, otherTenantId, admin } = await createTwoTenants(system, 'rights-a', 'rights-b'));
  const settings = await system.request('PUT', '/api/v1/tenant/settings', {
    token: admin,
    body: { waConfig: { apiUrl: provider.sendUrl, apiKey: provider.apiKey, sender: 'Rights' } },
  });
  expect(settings.status).toBe(200);
}, 120_000);

afterAll(async () => {
  await system?.stop();
  await provider?.close();
});

/** Personal data of the person who asks to be erased: none of it may remain anywhere afterwards. */
const PERSON = {
  name: 'Zoë Privacy-Seeker',
  phone: '+5130001234',
  instagram: 'zoe.private',
  facebook: 'Zoe Facebook',
  facebookHandle: 'zoe facebook',
  comment: 'I love this, signed Zoë',
};

/** Every row of every table of ours as text (Meta's raw webhook deliveries are kept RETENTION_DAYS; none are seeded here). */
async function everyRowAsText(): Promise<{ table: string; row: string }[]> {
  const tables = await system.database.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'`,
  );
  const rows: { table: string; row: string }[] = [];
  for (const { table_name: table } of tables) {
    for (const { row } of await system.database.query<{ row: string }>(`SELECT x::text AS row FROM "${table}" x`)) rows.push({ table, row });
  }
  return rows;
}

async function seedPersonEverywhere() {
  const db = system.deps.db;
  const campaign = await seedCampaign(db, tenantId, { name: 'Rights campaign' });
  const task = await seedTask(db, tenantId, campaign.id, { title: 'Comment', actionType: 'COMMENT', spinsReward: 5 });
  const secondTask = await seedTask(db, tenantId, campaign.id, { title: 'Follow', spinsReward: 2 });
  const user = await db.endUser.create({
    data: {
      tenantId,
      name: PERSON.name,
      phone: PERSON.phone,
      instagramUsername: PERSON.instagram,
      facebookName: PERSON.facebook,
      lastInboundAt: new Date(),
      whatsappOptInAt: new Date(),
      whatsappOptInSource: 'signup-form',
    },
  });
  // Another person of the tenant, whose rows must stay as they are.
  const bystander = await db.endUser.create({ data: { tenantId, name: 'Bystander Bob', phone: '+5130009999', instagramUsername: 'bob.stays' } });
  await db.endUserHandle.createMany({
    data: [
      { tenantId, endUserId: user.id, platform: 'INSTAGRAM', handle: PERSON.instagram },
      { tenantId, endUserId: user.id, platform: 'FACEBOOK', handle: PERSON.facebookHandle },
      { tenantId, endUserId: bystander.id, platform: 'INSTAGRAM', handle: 'bob.stays' },
    ],
  });
  await db.endUserAuditEntry.create({
    data: { tenantId, endUserId: user.id, action: 'HANDLE_BOUND', changes: { platform: 'INSTAGRAM', handle: PERSON.instagram }, actorId: 'admin-1' },
  });
  const verifiedId = randomUUID();
  const verified = await db.claim.create({
    data: {
      id: verifiedId,
      tenantId,
      campaignId: campaign.id,
      taskId: task.id,
      userId: user.id,
      workflowId: `claim-${verifiedId}`,
      status: 'VERIFIED',
      reason: 'VERIFIED_BY_META',
      detail: `comment "${PERSON.comment}" by ${PERSON.instagram} found`,
      handle: PERSON.instagram,
      evidence: { commentId: 'c-zoe-1', text: PERSON.comment, author: PERSON.instagram },
      verifiedAt: new Date(),
      verificationMethod: 'TENANT_META_API',
      spinsAwarded: 5,
      notificationStatus: 'DELIVERED',
      notificationChannel: 'WHATSAPP_CLOUD',
      notificationSentAt: new Date(),
      notificationProviderMessageId: 'wamid.zoe-1',
      notificationError: `earlier attempt to ${PERSON.phone} timed out`,
    },
  });
  await db.spinCredit.create({ data: { tenantId, userId: user.id, claimId: verified.id, amount: 5 } });
  await db.evidenceUse.create({ data: { tenantId, taskId: task.id, evidenceKey: 'instagram_comment:c-zoe-1', claimId: verified.id } });
  const pendingId = randomUUID();
  await db.claim.create({
    data: {
      id: pendingId,
      tenantId,
      campaignId: campaign.id,
      taskId: secondTask.id,
      userId: user.id,
      workflowId: `claim-${pendingId}`,
      handle: PERSON.instagram,
    },
  });
  const bobId = randomUUID();
  await db.claim.create({
    data: { id: bobId, tenantId, campaignId: campaign.id, taskId: task.id, userId: bystander.id, workflowId: `claim-${bobId}`, handle: 'bob.stays' },
  });
  await db.messageStatusEvent.create({ data: { providerMessageId: 'wamid.zoe-1', status: 'delivered', occurredAt: new Date() } });
  const igTarget = await db.commentIndexTarget.create({ data: { tenantId, platform: 'INSTAGRAM', targetId: 'media-rights' } });
  const fbTarget = await db.commentIndexTarget.create({ data: { tenantId, platform: 'FACEBOOK', targetId: 'page_post-rights' } });
  await db.indexedComment.createMany({
    data: [
      {
        tenantId,
        indexTargetId: igTarget.id,
        commentId: 'c-zoe-1',
        authorName: PERSON.instagram,
        authorHandle: PERSON.instagram,
        text: PERSON.comment,
        source: 'CRAWL',
      },
      {
        tenantId,
        indexTargetId: igTarget.id,
        commentId: 'c-bob-1',
        authorName: 'bob.stays',
        authorHandle: 'bob.stays',
        text: 'Bob was here',
        source: 'CRAWL',
      },
    ],
  });
  // Another tenant's index holds a comment by someone with the same handle: not this person's data here.
  const elsewhere = await db.commentIndexTarget.create({ data: { tenantId: otherTenantId, platform: 'INSTAGRAM', targetId: 'media-elsewhere' } });
  await db.indexedComment.create({
    data: {
      tenantId: otherTenantId,
      indexTargetId: elsewhere.id,
      commentId: 'c-other',
      authorName: PERSON.instagram,
      authorHandle: PERSON.instagram,
      text: 'Another tenant’s comment',
      source: 'CRAWL',
    },
  });
  await db.indexedReaction.create({
    data: {
      tenantId,
      indexTargetId: fbTarget.id,
      reactorKey: 'fb-zoe',
      reactorId: 'fb-zoe',
      reactorName: PERSON.facebook,
      reactorHandle: PERSON.facebookHandle,
      reactionType: 'LOVE',
      source: 'CRAWL',
    },
  });
  await db.whatsappAccount.create({ data: { tenantId, wabaId: 'waba-rights', phoneNumberId: 'pn-rights', businessId: 'biz-rights' } });
  await db.messagingLimitRecipient.create({ data: { businessId: 'biz-rights', recipient: PERSON.phone, countedAt: new Date() } });
  return { campaign, user, bystander, verifiedId, pendingId };
}

test('export holds everything about the person; erasure leaves nothing personal in any table and keeps the counts', async () => {
  const { campaign, user, bystander, verifiedId, pendingId } = await seedPersonEverywhere();
  const userToken = tokens.endUser(tenantId, user.id);
  expect((await system.request('GET', '/api/v1/claims', { token: userToken })).status).toBe(200);

  const exported = await system.request('GET', `/api/v1/end-users/${user.id}/export`, { token: admin });
  expect(exported.status).toBe(200);
  expect(exported.headers.get('cache-control')).toBe('no-store');
  const data = exported.body;
  expect(data.profile).toMatchObject({
    id: user.id,
    name: PERSON.name,
    phone: PERSON.phone,
    instagramUsername: PERSON.instagram,
    facebookName: PERSON.facebook,
  });
  expect(data.consent.whatsappOptIn).toMatchObject({ source: 'signup-form' });
  expect(data.handles.map((h: any) => `${h.platform}:${h.handle}`).sort()).toEqual([
    `FACEBOOK:${PERSON.facebookHandle}`,
    `INSTAGRAM:${PERSON.instagram}`,
  ]);
  expect(data.audit).toEqual([expect.objectContaining({ action: 'HANDLE_BOUND', changes: { platform: 'INSTAGRAM', handle: PERSON.instagram } })]);
  expect(data.claims.map((c: any) => c.id).sort()).toEqual([verifiedId, pendingId].sort());
  const verifiedClaim = data.claims.find((c: any) => c.id === verifiedId);
  expect(verifiedClaim).toMatchObject({
    evidence: { text: PERSON.comment },
    spinsAwarded: 5,
    task: { title: 'Comment' },
    campaign: { name: 'Rights campaign' },
  });
  expect(verifiedClaim.notification.deliveryStatuses).toEqual([expect.objectContaining({ status: 'delivered' })]);
  expect(data.spinCredits).toEqual([expect.objectContaining({ completionId: verifiedId, amount: 5 })]);
  expect(data.commentsOnWatchedPosts).toEqual([expect.objectContaining({ commentId: 'c-zoe-1', text: PERSON.comment })]);
  expect(data.reactionsOnWatchedPosts).toEqual([expect.objectContaining({ reactorName: PERSON.facebook, reactionType: 'LOVE' })]);
  expect(exported.text).not.toContain('Bystander Bob');
  expect(exported.text).not.toContain('Another tenant’s comment');

  const statsBefore = (await system.request('GET', `/api/v1/campaigns/${campaign.id}/stats`, { token: admin })).body;
  // Another tenant cannot erase (or read) this user.
  const otherAdmin = tokens.tenantAdmin(otherTenantId);
  expect((await system.request('DELETE', `/api/v1/end-users/${user.id}`, { token: otherAdmin })).status).toBe(404);
  expect((await system.request('GET', `/api/v1/end-users/${user.id}/export`, { token: otherAdmin })).status).toBe(404);

  const erased = await system.request('DELETE', `/api/v1/end-users/${user.id}`, { token: admin });
  expect(erased.status).toBe(204);

  // Nothing personal is left anywhere; the bystander's data is untouched.
  const rows = await everyRowAsText();
  // The other tenant's rows are another person's, whatever their handle.
  const ours = rows.filter(({ row }) => !row.includes(otherTenantId));
  for (const value of [PERSON.name, PERSON.phone, PERSON.instagram, PERSON.facebook, PERSON.facebookHandle, PERSON.comment]) {
    expect({ value, found: ours.filter(({ row }) => row.includes(value)).map(({ table }) => table) }).toEqual({ value, found: [] });
  }
  for (const value of ['Bystander Bob', '+5130009999', 'bob.stays', 'Bob was here', 'Another tenant’s comment']) {
    expect(rows.some(({ row }) => row.includes(value))).toBe(true);
  }

  // Counts and spins stay true; the claim not yet notified will never be.
  const statsAfter = (await system.request('GET', `/api/v1/campaigns/${campaign.id}/stats`, { token: admin })).body;
  expect(statsAfter.claims).toEqual(statsBefore.claims);
  const db = system.deps.db;
  expect(await db.claim.count({ where: { userId: user.id } })).toBe(2);
  expect((await db.spinCredit.aggregate({ where: { userId: user.id }, _sum: { amount: true } }))._sum.amount).toBe(5);
  expect(await db.evidenceUse.count({ where: { claimId: verifiedId } })).toBe(1);
  expect(await db.claim.findUniqueOrThrow({ where: { id: pendingId } })).toMatchObject({
    status: 'PENDING',
    notificationStatus: 'SKIPPED',
    notificationReason: 'END_USER_ERASED',
  });
  expect(await db.claim.findUniqueOrThrow({ where: { id: verifiedId } })).toMatchObject({
    status: 'VERIFIED',
    spinsAwarded: 5,
    notificationStatus: 'DELIVERED',
  });
  expect(await db.messagingLimitRecipient.count({ where: { businessId: 'biz-rights' } })).toBe(1);
  expect(await db.endUserAuditEntry.findMany({ where: { endUserId: user.id }, select: { action: true } })).toEqual(
    expect.arrayContaining([{ action: 'HANDLE_BOUND' }, { action: 'ERASED' }]),
  );

  // The person's token stops working; for admins they are gone; a repeated erasure is harmless.
  expect((await system.request('GET', '/api/v1/claims', { token: userToken })).status).toBe(401);
  expect((await system.request('GET', `/api/v1/end-users/${user.id}`, { token: admin })).status).toBe(404);
  expect((await system.request('GET', `/api/v1/end-users/${user.id}/export`, { token: admin })).status).toBe(404);
  expect((await system.request('POST', `/api/v1/end-users/${user.id}/session`, { token: admin })).status).toBe(404);
  expect((await system.request('PATCH', `/api/v1/end-users/${user.id}`, { token: admin, body: { name: 'Back' } })).status).toBe(404);
  expect((await system.request('DELETE', `/api/v1/end-users/${user.id}`, { token: admin })).status).toBe(204);
  expect((await system.request('GET', `/api/v1/end-users/${bystander.id}`, { token: admin })).body.name).toBe('Bystander Bob');
});

test('a claim waiting to notify an erased user finishes without sending; the same claim of another user is sent', async () => {
  const db = system.deps.db;
  // The window is closed now (it opens in three hours): verified claims wait for it.
  const hour = new Date().getUTCHours();
  const campaign = await seedCampaign(db, tenantId, {
    name: 'Waiting',
    timezone: 'UTC',
    notificationStartHour: (hour + 3) % 24,
    notificationEndHour: (hour + 4) % 24,
  });
  const task = await seedTask(db, tenantId, campaign.id, { title: 'Follow us', verificationStrategy: 'HONOR_SYSTEM', spinsReward: 1 });
  const people = [];
  for (const [name, phone] of [
    ['Erased Erin', '+5130005555'],
    ['Kept Kim', '+5130006666'],
  ] as const) {
    const created = await system.request('POST', '/api/v1/end-users', { token: admin, body: { name, phone, whatsappOptIn: { source: 'test' } } });
    expect(created.status).toBe(201);
    const claim = await system.request('POST', `/api/v1/tasks/${task.id}/claims`, { token: tokens.endUser(tenantId, created.body.id), body: {} });
    expect(claim.status).toBe(202);
    people.push({
      userId: created.body.id as string,
      phone,
      claimId: claim.body.completionId as string,
      workflowId: claim.body.workflowId as string,
    });
  }
  const [erin, kim] = people as [(typeof people)[number], (typeof people)[number]];
  for (const person of people) {
    await eventually(async () => {
      const row = await db.claim.findUniqueOrThrow({ where: { id: person.claimId } });
      return row.status === 'VERIFIED' && row.notificationStatus === 'WAITING_FOR_WINDOW';
    }, 'the claims verified and waiting for the window');
  }

  expect((await system.request('DELETE', `/api/v1/end-users/${erin.userId}`, { token: admin })).status).toBe(204);
  // The window opens for both (start == end: always open); the waiting workflows are re-planned.
  const opened = await system.request('PATCH', `/api/v1/campaigns/${campaign.id}`, {
    token: admin,
    body: { notificationStartHour: 0, notificationEndHour: 0 },
  });
  expect(opened.status).toBe(200);

  await eventually(async () => provider.sent.some((message) => message.number.includes(kim.phone.slice(1))), 'the kept user’s notification');
  for (const person of people) {
    await eventually(
      async () => (await system.deps.temporal.workflow.getHandle(person.workflowId).describe()).status.name === 'COMPLETED',
      `workflow ${person.workflowId} completed`,
    );
  }
  expect(provider.sent.filter((message) => message.number.includes(erin.phone.slice(1)))).toEqual([]);
  expect(await db.claim.findUniqueOrThrow({ where: { id: erin.claimId } })).toMatchObject({
    status: 'VERIFIED',
    spinsAwarded: 1,
    notificationStatus: 'SKIPPED',
    notificationReason: 'END_USER_ERASED',
  });
});
