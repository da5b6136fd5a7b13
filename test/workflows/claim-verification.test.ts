// META_API verification inside the claim workflow, on the time-skipping server with the real
// activities, a real database and the fake Graph API over HTTP: whose credentials are used (the
// tenant's, else the platform's, else the task's fallback), what a rejected token does to the claim
// (PENDING while the tenant may fix it, FAILED after the window), and that Meta's rate-limit hint
// is honoured as the retry delay. Every time asserted here is the workflow's own clock.
import type { WorkflowHandle } from '@temporalio/client';
import { claimStateQuery } from '../../workflows/definitions.js';
import { rateLimitReply, type FakeIgMedia, type FakeToken } from '../fakes/fake-meta.js';
import { activityScheduledAt, waitForClaim, useClaimTestWorld } from './claim-support.js';
import { seedClaim } from '../support/factories.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const VERIFY_DELAY_MS = 5 * MINUTE_MS;

const world = useClaimTestWorld({ metaAppSecret: 'claim-verification-secret', providerKey: 'tenant-provider-key' });

afterEach(async () => {
  // The platform's credentials are one global row: no test leaks them into the next.
  await world.database.db.platformSettings.deleteMany({});
});

/** A business Instagram account with one post, and a token that may read only that account's objects. */
function instagramBusiness(username: string): { media: FakeIgMedia; token: FakeToken; accountId: string } {
  const account = world.fakeMeta.addInstagramAccount({ username });
  const media = world.fakeMeta.addInstagramMedia({ ownerId: account.id });
  const token = world.fakeMeta.addToken({ scopes: ['instagram_basic', 'instagram_manage_comments'], assets: [account.id, media.id] });
  return { media, token, accountId: account.id };
}

async function seedInstagramCommentClaim(options: {
  mediaId: string;
  metaConfig?: Record<string, string>;
  handle?: string;
  fallbackStrategy?: 'HONOR_SYSTEM' | 'STATISTICAL' | 'MANUAL';
  statisticalApprovalRate?: number;
}) {
  return seedClaim(world.database.db, world.harness.secrets, {
    providerUrl: world.provider.sendUrl,
    providerKey: world.provider.apiKey,
    ...(options.metaConfig ? { metaConfig: options.metaConfig } : {}),
    handle: options.handle ?? '@Ana.IG',
    task: {
      platform: 'INSTAGRAM',
      actionType: 'COMMENT',
      targetId: options.mediaId,
      verificationStrategy: 'META_API',
      fallbackStrategy: options.fallbackStrategy ?? 'MANUAL',
      ...(options.statisticalApprovalRate !== undefined ? { statisticalApprovalRate: options.statisticalApprovalRate } : {}),
      spinsReward: 4,
    },
  });
}

const commentReads = (mediaId: string) => world.fakeMeta.graphRequests({ method: 'GET', path: `/${mediaId}/comments` });
const row = (claimId: string) => world.database.db.claim.findUniqueOrThrow({ where: { id: claimId } });
const sentTo = (claimCount: number) => world.provider.sent.slice(-claimCount);

interface ActivityRun {
  scheduledAt: Date;
  /** The attempt that completed (or failed for good): 1 when it was not retried */
  attempt: number;
}

/** Every run of `activityType` in the history, with the attempt count Temporal recorded. */
async function activityRuns(handle: WorkflowHandle, activityType: string): Promise<ActivityRun[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  const toDate = (time: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
    new Date(Number(time?.seconds ?? 0) * 1000 + Math.floor((time?.nanos ?? 0) / 1e6));
  const runs = new Map<string, ActivityRun>();
  for (const event of events) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === activityType) {
      runs.set(String(event.eventId), { scheduledAt: toDate(event.eventTime), attempt: 0 });
    }
    const started = event.activityTaskStartedEventAttributes;
    const run = started ? runs.get(String(started.scheduledEventId)) : undefined;
    if (started && run) run.attempt = started.attempt ?? 0;
  }
  return [...runs.values()];
}

describe("the tenant's Instagram token is rejected (190)", () => {
  test("the claim stays PENDING saying so, and is verified with the tenant's credentials once the tenant stores a valid token", async () => {
    const business = instagramBusiness('acme.store');
    const comment = world.fakeMeta.addInstagramComment(business.media.id, { username: 'ana.ig', text: 'Me encanta' });
    world.fakeMeta.invalidateToken(business.token.token, 'revoked');
    // Working platform credentials exist too: a rejected tenant token must not quietly switch to them.
    const platform = instagramBusiness('platform.account');
    await world.database.db.platformSettings.upsert({
      where: { id: 1 },
      create: { id: 1, metaConfig: world.harness.secrets.sealJson({ instagramAccountId: platform.accountId, instagramToken: platform.token.token }) },
      update: { metaConfig: world.harness.secrets.sealJson({ instagramAccountId: platform.accountId, instagramToken: platform.token.token }) },
    });
    const claim = await seedInstagramCommentClaim({
      mediaId: business.media.id,
      metaConfig: { instagramAccountId: business.accountId, instagramToken: business.token.token },
    });

    const handle = await world.harness.startClaim(claim.claimId);
    await world.harness.env.sleep(VERIFY_DELAY_MS); // nobody awaits the result yet: skip the verify delay by hand

    const waiting = await waitForClaim(world.database.db, claim.claimId, (r) => /waiting for valid meta credentials/i.test(r.detail ?? ''));
    expect(waiting.status).toBe('PENDING');
    expect(waiting.detail).toMatch(/190/);
    expect(waiting.detail).not.toContain(business.token.token);
    expect(waiting.spinsAwarded).toBe(0);
    expect(await handle.query(claimStateQuery)).toMatchObject({ phase: 'WAITING_FOR_CREDENTIALS', status: 'PENDING' });
    expect(commentReads(business.media.id).length).toBeGreaterThanOrEqual(1);
    expect(commentReads(business.media.id).every((request) => request.accessToken === business.token.token)).toBe(true);

    // The tenant reconnects Instagram: a new token in its (sealed) settings.
    const renewed = world.fakeMeta.addToken({
      scopes: ['instagram_basic', 'instagram_manage_comments'],
      assets: [business.accountId, business.media.id],
    });
    await world.database.db.tenant.update({
      where: { id: claim.tenantId },
      data: { metaConfig: world.harness.secrets.sealJson({ instagramAccountId: business.accountId, instagramToken: renewed.token }) },
    });

    expect(await handle.result()).toEqual({ status: 'VERIFIED', notificationStatus: 'SENT' });
    const verified = await row(claim.claimId);
    expect(verified).toMatchObject({ status: 'VERIFIED', verificationMethod: 'TENANT_META_API', spinsAwarded: 4 });
    expect(verified.evidence).toMatchObject({ source: 'instagram_comments', mediaId: business.media.id, commentId: comment.id });
    expect(verified.detail).toMatch(/tenant's/);
    expect(await world.database.db.spinCredit.count({ where: { claimId: claim.claimId } })).toBe(1);

    const reads = commentReads(business.media.id);
    expect(reads.at(-1)!.accessToken).toBe(renewed.token);
    expect(reads.at(-1)!.appsecretProof).toBe(world.fakeMeta.proofFor(renewed.token));
    expect(reads.filter((request) => request.accessToken === renewed.token)).toHaveLength(1);
    // The platform's token was never used for this claim while the tenant's was rejected.
    expect(world.fakeMeta.graphRequests().filter((request) => request.accessToken === platform.token.token)).toHaveLength(0);

    // The retry after the fix came after a backoff in workflow time, not in a tight loop.
    const verifications = await activityRuns(handle, 'verifyWithMeta');
    expect(verifications.length).toBeGreaterThanOrEqual(2);
    expect(verifications.at(-1)!.scheduledAt.getTime() - verifications[0]!.scheduledAt.getTime()).toBeGreaterThanOrEqual(5 * MINUTE_MS);
  });

  test('never fixed: FAILED after the 24 h window with a detail naming the credential problem, nothing credited or sent', async () => {
    const business = instagramBusiness('never.fixed');
    world.fakeMeta.addInstagramComment(business.media.id, { username: 'ana.ig' });
    world.fakeMeta.invalidateToken(business.token.token, 'password_changed');
    const claim = await seedInstagramCommentClaim({
      mediaId: business.media.id,
      metaConfig: { instagramAccountId: business.accountId, instagramToken: business.token.token },
    });
    const sentBefore = world.provider.sent.length;

    const startedAt = await world.harness.now();
    const handle = await world.harness.startClaim(claim.claimId);
    expect(await handle.result()).toEqual({ status: 'FAILED', notificationStatus: 'SKIPPED' });
    expect((await world.harness.now()).getTime() - startedAt.getTime()).toBeGreaterThanOrEqual(24 * HOUR_MS);

    const failed = await row(claim.claimId);
    expect(failed).toMatchObject({ status: 'FAILED', verificationMethod: 'TENANT_META_API', spinsAwarded: 0, notificationStatus: 'SKIPPED' });
    expect(failed.detail).toMatch(/credentials were rejected/i);
    expect(failed.detail).toMatch(/190/);
    expect(failed.detail).not.toContain(business.token.token);
    expect(await world.database.db.spinCredit.count({ where: { claimId: claim.claimId } })).toBe(0);
    expect(world.provider.sent.length).toBe(sentBefore);

    // It kept trying through the window (with backoff), and decided only at its end.
    const verifications = await activityRuns(handle, 'verifyWithMeta');
    expect(verifications.length).toBeGreaterThan(2);
    const span = verifications.at(-1)!.scheduledAt.getTime() - verifications[0]!.scheduledAt.getTime();
    expect(span).toBeGreaterThanOrEqual(24 * HOUR_MS);
    const decidedAt = await activityScheduledAt(handle, ['completeVerification', 'recordAndPlan']);
    expect(decidedAt!.getTime() - verifications[0]!.scheduledAt.getTime()).toBeGreaterThanOrEqual(24 * HOUR_MS);
  });
});

test('a rate-limited read is retried after the delay Meta asked for, and the claim is still verified', async () => {
  const business = instagramBusiness('busy.store');
  const comment = world.fakeMeta.addInstagramComment(business.media.id, { username: 'ana.ig' });
  const claim = await seedInstagramCommentClaim({
    mediaId: business.media.id,
    metaConfig: { instagramAccountId: business.accountId, instagramToken: business.token.token },
  });
  const throttle = world.fakeMeta.failNext({
    method: 'GET',
    path: `/${business.media.id}/comments`,
    ...rateLimitReply({ code: 80002, regainMinutes: 7, objectId: business.accountId }),
  });

  const handle = await world.harness.startClaim(claim.claimId);
  expect(await handle.result()).toEqual({ status: 'VERIFIED', notificationStatus: 'SENT' });
  expect(throttle.hits).toBe(1);

  const verified = await row(claim.claimId);
  expect(verified).toMatchObject({ verificationMethod: 'TENANT_META_API', spinsAwarded: 4 });
  expect(verified.evidence).toMatchObject({ commentId: comment.id });
  expect(verified.detail).toBe("Verified with the tenant's Meta credentials");

  // Each look at the index is its own verifyWithMeta activity, never retried by Temporal: the
  // waits between them are timers in the claim's workflow, holding no activity slot...
  const looks = await activityRuns(handle, 'verifyWithMeta');
  expect(looks.length).toBeGreaterThanOrEqual(2);
  expect(looks.every((look) => look.attempt === 1)).toBe(true);
  // ...and the claim was decided no sooner than the 7 minutes Meta's usage header asked for (the
  // usual spacing of looks starts at 2 s).
  const decidedAt = await activityScheduledAt(handle, ['completeVerification', 'recordAndPlan']);
  const waited = decidedAt!.getTime() - looks[0]!.scheduledAt.getTime();
  expect(waited).toBeGreaterThanOrEqual(7 * MINUTE_MS);
  expect(waited).toBeLessThan(7 * MINUTE_MS + 5 * MINUTE_MS);

  // The throttled read and the crawl after Meta's delay; a claim that asked just after that crawl
  // had started reading gets one more crawl of its own.
  const reads = commentReads(business.media.id);
  expect(reads.length).toBeGreaterThanOrEqual(2);
  expect(reads.length).toBeLessThanOrEqual(3);
  expect(reads.every((request) => request.accessToken === business.token.token)).toBe(true);
});

test("a tenant without Instagram credentials is verified with the platform's (PLATFORM_META_API)", async () => {
  const platform = instagramBusiness('platform.brand');
  const comment = world.fakeMeta.addInstagramComment(platform.media.id, { username: 'ana.ig' });
  await world.database.db.platformSettings.upsert({
    where: { id: 1 },
    create: { id: 1, metaConfig: world.harness.secrets.sealJson({ instagramAccountId: platform.accountId, instagramToken: platform.token.token }) },
    update: { metaConfig: world.harness.secrets.sealJson({ instagramAccountId: platform.accountId, instagramToken: platform.token.token }) },
  });
  // The tenant has Meta credentials, but only for Facebook: none for the task's platform.
  const pageToken = world.fakeMeta.addPageToken('5550001112');
  const claim = await seedInstagramCommentClaim({
    mediaId: platform.media.id,
    metaConfig: { facebookPageId: '5550001112', facebookToken: pageToken.token },
  });

  const handle = await world.harness.startClaim(claim.claimId);
  expect(await handle.result()).toEqual({ status: 'VERIFIED', notificationStatus: 'SENT' });

  const verified = await row(claim.claimId);
  expect(verified).toMatchObject({ status: 'VERIFIED', verificationMethod: 'PLATFORM_META_API', spinsAwarded: 4 });
  expect(verified.evidence).toMatchObject({ commentId: comment.id });
  expect(verified.detail).toMatch(/platform's/);
  const reads = commentReads(platform.media.id);
  expect(reads).toHaveLength(1);
  expect(reads[0]!.accessToken).toBe(platform.token.token);
  expect(reads[0]!.appsecretProof).toBe(world.fakeMeta.proofFor(platform.token.token));
  expect(world.fakeMeta.graphRequests().filter((request) => request.accessToken === pageToken.token)).toHaveLength(0);
});

test("with no credentials anywhere the task's fallback strategy decides, and the detail says why", async () => {
  const orphan = instagramBusiness('nobody.configured');
  world.fakeMeta.addInstagramComment(orphan.media.id, { username: 'ana.ig' });
  const honor = await seedInstagramCommentClaim({ mediaId: orphan.media.id, fallbackStrategy: 'HONOR_SYSTEM' });
  const sampled = await seedInstagramCommentClaim({ mediaId: orphan.media.id, fallbackStrategy: 'STATISTICAL', statisticalApprovalRate: 0 });
  const sentBefore = world.provider.sent.length;

  expect(await (await world.harness.startClaim(honor.claimId)).result()).toEqual({ status: 'VERIFIED', notificationStatus: 'SENT' });
  expect(await (await world.harness.startClaim(sampled.claimId)).result()).toEqual({ status: 'FAILED', notificationStatus: 'SKIPPED' });

  const accepted = await row(honor.claimId);
  expect(accepted).toMatchObject({ status: 'VERIFIED', verificationMethod: 'HONOR_SYSTEM', spinsAwarded: 4 });
  expect(accepted.detail).toMatch(/No Meta credentials can check this task/);
  expect(accepted.detail).toMatch(/No Instagram token configured/);
  expect(accepted.detail).toMatch(/honor system/i);

  const rejected = await row(sampled.claimId);
  expect(rejected).toMatchObject({ status: 'FAILED', verificationMethod: 'STATISTICAL', spinsAwarded: 0 });
  expect(rejected.detail).toMatch(/No Meta credentials can check this task/);
  expect(rejected.detail).toMatch(/statistical/i);

  // Nothing was asked of Meta, and only the accepted claim was notified.
  expect(commentReads(orphan.media.id)).toHaveLength(0);
  expect(world.provider.sent.length - sentBefore).toBe(1);
  expect(sentTo(1)[0]!.message).toContain('Ana');
});
