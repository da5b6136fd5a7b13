// Whether the comment index is fresh enough for a claim compares the claim's request time with
// the crawl's "complete through", written by another worker. Both are the database's clock: a
// verifying worker whose own clock runs 10 s behind must not count a crawl that began 5 s before
// the claim as covering it. Real PostgreSQL; the time-skipping Temporal server only receives the
// freshness request (no worker crawls, so the index stays as the test left it).
import { jest } from '@jest/globals';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { randomUUID } from 'node:crypto';
import { ensureIndexTarget, recordCompleteCrawl } from '../../src/comment-index/index-store.js';
import { verifyInIndex, type IndexedEvidence } from '../../src/comment-index/verify-from-index.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTimeSkippingEnv } from '../support/temporal.js';

let database: TestDatabase;
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  database = await createTestDatabase();
  env = await createTimeSkippingEnv();
}, 60_000);

afterAll(async () => {
  await env?.teardown();
  await database?.close();
});

test('a worker whose clock runs 10 s behind still waits for a crawl that starts after its request', async () => {
  const db = database.db;
  const slug = `clock-${randomUUID().slice(0, 6)}`;
  const tenant = await db.tenant.create({ data: { name: slug, slug } });
  const key = { tenantId: tenant.id, platform: 'INSTAGRAM' as const, targetId: `media-${slug}` };
  const target = await ensureIndexTarget(db, key);
  // Another worker's crawl began 5 s ago (database time) and completed.
  const [{ now }] = (await db.$queryRaw<{ now: Date }[]>`SELECT clock_timestamp() AS now`) as [{ now: Date }];
  await recordCompleteCrawl(db, target.id, { startedAt: new Date(now.getTime() - 5_000), newestSeen: undefined, pages: 1 });

  jest.useFakeTimers({
    now: Date.now() - 10_000,
    advanceTimers: true,
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
  const evidence: IndexedEvidence = {
    stillCrawling: 'still crawling',
    find: async () => undefined,
    notFound: async (_target, screen) => screen.notFound('no comment'),
  };
  const deps = { db, temporal: env.client, taskQueue: `clock-${slug}`, coalesceMs: 50 };
  let first;
  let again;
  try {
    first = await verifyInIndex(deps, key, 'TENANT_META_API', {}, evidence);
    // The claim's next look, for the time its first look asked for.
    again = await verifyInIndex(deps, key, 'TENANT_META_API', {}, evidence, first.kind === 'pending' ? first.asOf : undefined);
  } finally {
    jest.useRealTimers();
  }
  expect(first).toMatchObject({ kind: 'pending', detail: 'still crawling' });
  const result = again;
  // Not "checked: not found" from a crawl that may have missed the comment: it waits for a newer one.
  expect(result).toMatchObject({ kind: 'pending', detail: 'still crawling' });
});
