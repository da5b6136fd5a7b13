// What the comment index cannot say, on the time-skipping server with the real activities, a real
// database and the fake Graph API over HTTP: a crawl that fails part-way resumes at the page it had
// reached (its checkpoint); a claim whose target Meta does not let us read for
// META_OUTAGE_FALLBACK_AFTER goes to the task's fallback, never to FAILED; and without Instagram's
// comment webhooks (which alone bring replies on older threads) a miss is COULD_NOT_CHECK, not
// NOT_FOUND. Every time asserted here is the workflow's clock.
import { ApplicationFailure } from '@temporalio/activity';
import { metaErrorReply, type FakeIgMedia, type FakeToken } from '../fakes/fake-meta.js';
import { activityScheduledAt, useClaimTestWorld } from './claim-support.js';
import { instagramWebhooksActive, seedClaim } from '../support/factories.js';

const MINUTE_MS = 60_000;
const OUTAGE_FALLBACK_AFTER_MS = 10 * MINUTE_MS;

/** Targets whose crawls die before they can record anything (as a crawl that times out does). */
const dyingCrawls = new Set<string>();

// Claims look at the index briefly each attempt, and fall back after ten minutes of outage.
const world = useClaimTestWorld({
  metaAppSecret: 'claim-outage-secret',
  providerKey: 'outage-provider-key',
  harnessEnv: { META_OUTAGE_FALLBACK_AFTER: `${OUTAGE_FALLBACK_AFTER_MS / MINUTE_MS}m` },
  activityOverrides: (real) => ({
    async crawlCommentIndex(key) {
      if (dyingCrawls.has(key.targetId)) throw ApplicationFailure.create({ type: 'Transient', message: 'activity StartToClose timeout' });
      return real.crawlCommentIndex(key);
    },
  }),
});

function instagramBusiness(username: string): { media: FakeIgMedia; token: FakeToken; accountId: string } {
  const account = world.fakeMeta.addInstagramAccount({ username });
  const media = world.fakeMeta.addInstagramMedia({ ownerId: account.id });
  const token = world.fakeMeta.addToken({ scopes: ['instagram_basic', 'instagram_manage_comments'], assets: [account.id, media.id] });
  return { media, token, accountId: account.id };
}

async function seedCommentClaim(business: { media: FakeIgMedia; token: FakeToken; accountId: string }, fallbackStrategy: 'HONOR_SYSTEM' | 'MANUAL') {
  return seedClaim(world.database.db, world.harness.secrets, {
    providerUrl: world.provider.sendUrl,
    providerKey: world.provider.apiKey,
    metaConfig: { instagramAccountId: business.accountId, instagramToken: business.token.token },
    handle: '@Ana.IG',
    task: {
      platform: 'INSTAGRAM',
      actionType: 'COMMENT',
      targetId: business.media.id,
      verificationStrategy: 'META_API',
      fallbackStrategy,
      spinsReward: 4,
    },
  });
}

const cursorOf = (offset: number) => Buffer.from(`offset:${offset}`).toString('base64url');

test('a crawl that fails on its third page resumes there: the pages before it are read once', async () => {
  const business = instagramBusiness('paged.store');
  const claim = await seedCommentClaim(business, 'MANUAL');
  const task = await world.database.db.socialMediaTask.findUniqueOrThrow({ where: { id: claim.taskId } });
  // 120 comments ten seconds apart (three pages of 50, newest first); Ana's is among the oldest.
  const first = task.createdAt.getTime() + 1_000;
  for (let i = 0; i < 120; i++) {
    world.fakeMeta.addInstagramComment(business.media.id, { username: i === 10 ? 'ana.ig' : `fan${i}`, atMs: first + i * 10_000 });
  }
  let failures = 0;
  world.fakeMeta.override('GET', new RegExp(`^/${business.media.id}/comments$`), (context) => {
    if (context.params.after !== cursorOf(100) || failures > 0) return undefined;
    failures += 1;
    return metaErrorReply({ message: 'An unexpected error has occurred. Please retry your request later.', code: 2, is_transient: true }, 500);
  });

  const handle = await world.harness.startClaim(claim.claimId);
  expect(await handle.result()).toEqual({ status: 'VERIFIED', notificationStatus: 'SENT' });
  const verified = await world.database.db.claim.findUniqueOrThrow({ where: { id: claim.claimId } });
  expect(verified).toMatchObject({ verificationMethod: 'TENANT_META_API', reason: 'VERIFIED_BY_META' });

  const pageReads = (offset: number) =>
    world.fakeMeta
      .graphRequests({ method: 'GET', path: `/${business.media.id}/comments` })
      .filter((request) => request.query.get('after') === cursorOf(offset)).length;
  expect(failures).toBe(1);
  expect(pageReads(100)).toBe(2); // the failed read and its retry
  expect(pageReads(50)).toBe(1); // not read again by the retry
  const target = await world.database.db.commentIndexTarget.findFirstOrThrow({ where: { tenantId: claim.tenantId, targetId: business.media.id } });
  expect(target).toMatchObject({ crawlProgress: null, unreadableSince: null, failedCrawls: 0 });
  expect(await world.database.db.indexedComment.count({ where: { indexTargetId: target.id } })).toBe(120);
});

test("a target whose crawl never finishes sends its claims to the task's fallback after META_OUTAGE_FALLBACK_AFTER, never to FAILED", async () => {
  const business = instagramBusiness('stuck.store');
  const claim = await seedCommentClaim(business, 'HONOR_SYSTEM');
  dyingCrawls.add(business.media.id);

  const handle = await world.harness.startClaim(claim.claimId);
  expect(await handle.result()).toEqual({ status: 'VERIFIED', notificationStatus: 'SENT' });
  const decided = await world.database.db.claim.findUniqueOrThrow({ where: { id: claim.claimId } });
  expect(decided).toMatchObject({ status: 'VERIFIED', verificationMethod: 'HONOR_SYSTEM', reason: 'ACCEPTED_ON_HONOR', spinsAwarded: 4 });
  expect(decided.detail).toMatch(/^COULD_NOT_CHECK for 1\d min: The comment index of INSTAGRAM \d+ is still being crawled/);

  // It waited for the configured period (on the workflow's clock), not for the 24 h retry budget.
  const verifyStartedAt = await activityScheduledAt(handle, 'verifyWithMeta');
  const decidedAt = await activityScheduledAt(handle, ['completeVerification', 'recordAndPlan']);
  const waited = decidedAt!.getTime() - verifyStartedAt!.getTime();
  expect(waited).toBeGreaterThanOrEqual(OUTAGE_FALLBACK_AFTER_MS);
  expect(waited).toBeLessThan(OUTAGE_FALLBACK_AFTER_MS + 5 * MINUTE_MS);
}, 120_000);

describe("a miss on Instagram depends on the account's comment webhooks (replies on older threads come only through them)", () => {
  test('without an active webhook subscription: COULD_NOT_CHECK, then the fallback decides; never NOT_FOUND', async () => {
    const business = instagramBusiness('unsubscribed.store');
    world.fakeMeta.addInstagramComment(business.media.id, { username: 'someone.else' });
    const claim = await seedCommentClaim(business, 'HONOR_SYSTEM');

    const handle = await world.harness.startClaim(claim.claimId);
    expect(await handle.result()).toEqual({ status: 'VERIFIED', notificationStatus: 'SENT' });
    const decided = await world.database.db.claim.findUniqueOrThrow({ where: { id: claim.claimId } });
    expect(decided).toMatchObject({ verificationMethod: 'HONOR_SYSTEM', reason: 'ACCEPTED_ON_HONOR' });
    expect(decided.detail).toMatch(/^COULD_NOT_CHECK: .*webhook subscription is not active for Instagram account \d+ \(NOT_CONFIGURED\)/);
  });

  test('with the subscription active for the account: the same miss is NOT_FOUND', async () => {
    const business = instagramBusiness('subscribed.store');
    world.fakeMeta.addInstagramComment(business.media.id, { username: 'someone.else' });
    const claim = await seedCommentClaim(business, 'HONOR_SYSTEM');
    await instagramWebhooksActive(world.database.db, claim.tenantId, business.accountId);

    const handle = await world.harness.startClaim(claim.claimId);
    expect(await handle.result()).toEqual({ status: 'FAILED', notificationStatus: 'SKIPPED' });
    const decided = await world.database.db.claim.findUniqueOrThrow({ where: { id: claim.claimId } });
    expect(decided).toMatchObject({ verificationMethod: 'TENANT_META_API', reason: 'NOT_FOUND_ON_POST', spinsAwarded: 0 });
    expect(decided.detail).toMatch(/No comment by @ana\.ig/);
  });
});
