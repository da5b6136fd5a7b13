// 200 claims on one post verifying at once share crawls of its comment index instead of
// each paging Meta. Counted on the fake Meta (50 comments per page), through the real API,
// PostgreSQL, the Temporal dev server and a real worker.
import { startFakeMeta, type FakeMeta } from '../fakes/fake-meta.js';
import { eventually } from '../support/eventually.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { fakeMetaEnv } from '../support/factories.js';

let system: TestSystem;
let fakeMeta: FakeMeta;

beforeAll(async () => {
  fakeMeta = await startFakeMeta({ appSecret: 'concurrency-secret' });
  system = await startTestSystem({
    env: {
      ...fakeMetaEnv(fakeMeta),
      CLAIM_VERIFY_DELAY: '3s',
      COMMENT_INDEX_COALESCE: '1s',
    },
    // API and worker share this one pool here (separate pools in production): room for the crowd.
    databasePoolSize: 20,
  });
}, 120_000);

afterAll(async () => {
  await system?.stop();
  await fakeMeta?.close();
});

test('200 claims on one post verifying at once share a few crawls (reads counted on the fake)', async () => {
  const db = system.deps.db;
  const tenantId = await system.createTenant('index-crowd');
  const admin = tokens.tenantAdmin(tenantId);
  const account = fakeMeta.addInstagramAccount({ username: 'crowd.store' });
  const media = fakeMeta.addInstagramMedia({ ownerId: account.id });
  const igToken = fakeMeta.addToken({ scopes: ['instagram_basic'] }).token;
  // Meta reports a moderate usage: below the pacing threshold, so nothing slows down.
  fakeMeta.setUsage({ app: { call_count: 40, total_cputime: 10, total_time: 12 } });
  expect(
    (
      await system.request('PUT', '/api/v1/tenant/settings', {
        token: admin,
        body: { timezone: 'UTC', waConfig: null, metaConfig: { instagramAccountId: account.id, instagramToken: igToken } },
      })
    ).status,
  ).toBe(200);
  const campaign = await system.request('POST', '/api/v1/campaigns', { token: admin, body: { name: 'Crowd', notificationEnabled: false } });
  const task = await system.request('POST', `/api/v1/campaigns/${campaign.body.id}/tasks`, {
    token: admin,
    body: { title: 'Comment', platform: 'INSTAGRAM', actionType: 'COMMENT', targetId: media.id, spinsReward: 1, verificationStrategy: 'META_API' },
  });
  expect(task.status).toBe(201);
  await eventually(
    async () => (await db.commentIndexTarget.findFirst({ where: { tenantId, completeThrough: { not: null } } })) ?? false,
    'the backfill',
  );

  // 200 claimants comment among 300 others after the backfill: the index does not have them yet.
  const claimants = Array.from({ length: 200 }, (_, i) => `crowd.fan${i}`);
  const start = Date.now();
  [...claimants, ...Array.from({ length: 300 }, (_, i) => `passerby${i}`)]
    .sort(() => Math.random() - 0.5)
    .forEach((username, i) => {
      fakeMeta.addInstagramComment(media.id, { username, atMs: start + i });
    });
  const reads = () => fakeMeta.graphRequests({ method: 'GET', path: `/${media.id}/comments` }).length;
  const readsBefore = reads();

  const ids: string[] = [];
  for (let i = 0; i < claimants.length; i += 25) {
    ids.push(
      ...(await Promise.all(
        claimants.slice(i, i + 25).map(async (handle, j) => {
          const user = await retriedWhileBusy(() =>
            system.request('POST', '/api/v1/end-users', {
              token: admin,
              body: { name: handle, phone: `+5197${String(1_000_000 + i + j)}` },
            }),
          );
          if (user.status !== 201) throw new Error(`end user ${handle}: ${user.status} ${user.text}`);
          const claimed = await retriedWhileBusy(() =>
            system.request('POST', `/api/v1/tasks/${task.body.id}/claims`, {
              token: tokens.endUser(tenantId, user.body.id),
              body: { handle },
            }),
          );
          expect(claimed.status).toBe(202);
          return claimed.body.completionId as string;
        }),
      )),
    );
  }

  const rows = await eventually(
    async () => {
      const found = await db.claim.findMany({ where: { id: { in: ids } }, select: { status: true } });
      return found.every((row) => row.status !== 'PENDING') ? found : false;
    },
    '200 claims decided',
    60_000,
    500,
  );
  expect(rows.filter((row) => row.status === 'VERIFIED')).toHaveLength(200);

  // One crawl reads the 500 new comments (10 pages); the others only the newest page. A crawl
  // attempt retried under load may read some pages again, so the bound is on reads per claim.
  const target = await db.commentIndexTarget.findFirstOrThrow({ where: { tenantId } });
  const used = reads() - readsBefore;
  expect(used).toBeGreaterThanOrEqual(10);
  expect(target.crawls).toBeLessThanOrEqual(12); // a few crawls, not 200
  expect(used / 200).toBeLessThan(0.2);
}, 120_000);

/**
 * The crowd's own verifications share this test's one database pool with the API, so a request can
 * find it busy: the API then answers 503 UPSTREAM_UNAVAILABLE ("nothing was written, try again"),
 * and a client tries again, as here.
 */
async function retriedWhileBusy<T extends { status: number; body: { error?: { code?: string } } }>(send: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const response = await send();
    if (response.status !== 503 || response.body.error?.code !== 'UPSTREAM_UNAVAILABLE' || attempt === 10) return response;
    await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
  }
}
