// The comment-index workflow of a busy post keeps a bounded history: through the real API,
// PostgreSQL, the Temporal dev server and the fake Meta, 5,000 freshness requests arrive for one
// target while its crawl is held in the middle of the post; the target's workflow is signalled
// once per crawl still to start, not once per request, every run of it stays under 10,000 events
// (Temporal terminates a run at 51,200), the crawl still completes, and every claim is answered.
import { requestFreshness } from '../../src/comment-index/request-freshness.js';
import { commentIndexWorkflowId } from '../../src/comment-index/target-key.js';
import { claimStateQuery, claimWorkflowId } from '../../workflows/definitions.js';
import { startFakeMeta, type FakeMeta } from '../fakes/fake-meta.js';
import { eventually } from '../support/eventually.js';
import { BASE_TEST_ENV, startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { fakeMetaEnv } from '../support/factories.js';

const REQUESTS = 5_000;
const CLAIMS = 12;

let system: TestSystem;
let fakeMeta: FakeMeta;

beforeAll(async () => {
  fakeMeta = await startFakeMeta({ appSecret: BASE_TEST_ENV.META_APP_SECRET });
  // A held page answers once the test lets it: the request must not time out meanwhile.
  system = await startTestSystem({
    env: {
      ...fakeMetaEnv(fakeMeta),
      CLAIM_VERIFY_DELAY: '1s',
      COMMENT_INDEX_COALESCE: '200ms',
      OUTBOUND_HTTP_TIMEOUT: '120s',
    },
  });
}, 120_000);

afterAll(async () => {
  await system?.stop();
  await fakeMeta?.close();
});

test(`${REQUESTS} freshness requests while a crawl is held: every run of the index workflow stays under 10,000 events, and every claim is answered`, async () => {
  const tenantId = await system.createTenant('history-a');
  const admin = tokens.tenantAdmin(tenantId);
  const account = fakeMeta.addInstagramAccount({ username: 'busy.store' });
  const token = fakeMeta.addToken({ scopes: ['instagram_basic', 'instagram_manage_comments'] }).token;
  expect(
    (
      await system.request('PUT', '/api/v1/tenant/settings', {
        token: admin,
        body: { metaConfig: { instagramAccountId: account.id, instagramToken: token } },
      })
    ).status,
  ).toBe(200);
  const campaign = await system.request('POST', '/api/v1/campaigns', { token: admin, body: { name: 'Busy', notificationEnabled: false } });
  const media = fakeMeta.addInstagramMedia({ ownerId: account.id });

  // Every page after the first waits until the test opens the gate.
  let openGate!: () => void;
  const gate = new Promise<void>((resolve) => {
    openGate = resolve;
  });
  let heldPages = 0;
  fakeMeta.override('GET', new RegExp(`^/${media.id}/comments$`), async (context) => {
    if (context.params.after) {
      heldPages += 1;
      await gate;
    }
    return undefined;
  });

  // The claimants comment among 200 others (four pages of 50), all stamped after the task's creation.
  const first = Date.now() + 60_000;
  const claimants = Array.from({ length: CLAIMS }, (_, i) => `claimant${i}`);
  for (let i = 0; i < 200; i++) {
    fakeMeta.addInstagramComment(media.id, {
      username: i % 17 === 0 && i / 17 < CLAIMS ? claimants[i / 17]! : `passerby${i}`,
      atMs: first + i * 1_000,
    });
  }
  const task = await system.request('POST', `/api/v1/campaigns/${campaign.body.id}/tasks`, {
    token: admin,
    body: { title: 'Comment', platform: 'INSTAGRAM', actionType: 'COMMENT', targetId: media.id, spinsReward: 1, verificationStrategy: 'META_API' },
  });
  expect(task.status).toBe(201);
  const ids: string[] = [];
  for (const [i, handle] of claimants.entries()) {
    const user = await system.request('POST', '/api/v1/end-users', {
      token: admin,
      body: { name: handle, phone: `+5198722${String(i).padStart(4, '0')}` },
    });
    const claimed = await system.request('POST', `/api/v1/tasks/${task.body.id}/claims`, {
      token: tokens.endUser(tenantId, user.body.id),
      body: { handle },
    });
    expect(claimed.status).toBe(202);
    ids.push(claimed.body.completionId);
  }
  try {
    await eventually(async () => heldPages > 0, 'the crawl to reach its second page');
    const key = { tenantId, platform: 'INSTAGRAM' as const, targetId: media.id };
    // As a claim asks (src/comment-index/verify-from-index.ts): with the database, deduplicated.
    const deps = {
      db: system.deps.db,
      temporal: system.deps.temporal,
      taskQueue: system.config.temporal.taskQueue,
      coalesceMs: system.config.commentIndex.coalesceMs,
    };
    for (let sent = 0; sent < REQUESTS; sent += 50) {
      await Promise.all(Array.from({ length: 50 }, () => requestFreshness(deps, key, new Date())));
    }
  } finally {
    // Also when the test fails: a held request would keep the fake from closing.
    openGate();
  }

  const rows = await eventually(
    async () => {
      const found = await system.deps.db.claim.findMany({ where: { id: { in: ids } } });
      return found.every((row) => row.status !== 'PENDING') && found;
    },
    `${CLAIMS} claims answered`,
    120_000,
    500,
  );
  expect(rows.map((row) => row.status)).toEqual(Array(CLAIMS).fill('VERIFIED'));

  const workflowId = commentIndexWorkflowId({ tenantId, targetId: media.id });
  const runIds: string[] = [];
  for await (const run of system.deps.temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runIds.push(run.runId);
  // The latest run is there whatever visibility has caught up with.
  const latest = (await system.deps.temporal.workflow.getHandle(workflowId).describe()).runId;
  if (!runIds.includes(latest)) runIds.push(latest);
  const histories = await Promise.all(
    runIds.map(async (runId) => (await system.deps.temporal.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? []),
  );
  const lengths = histories.map((events) => events.length);
  for (const length of lengths) expect(length).toBeLessThan(10_000);
  // Requests a crawl still to start covers are not signalled again: a few signals, not thousands.
  const signals = histories.flatMap((events) => events.filter((event) => event.workflowExecutionSignaledEventAttributes));
  expect(signals.length).toBeLessThan(100);
}, 300_000);

test('a request marked while a crawl that covers it runs is cleared when that crawl completes, so the next claim is still signalled (lost wake-up)', async () => {
  const db = system.deps.db;
  const { tenantId, admin, media, task, backfilled } = await indexedCommentTask('history-b', 'late.mark.store');

  // The next crawl is held at its first read.
  let release!: () => void;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  let holding = true;
  let heldReads = 0;
  fakeMeta.override('GET', new RegExp(`^/${media.id}/comments$`), async () => {
    if (holding) {
      heldReads += 1;
      await held;
    }
    return undefined;
  });
  const key = { tenantId, platform: 'INSTAGRAM' as const, targetId: media.id };
  const deps = { db, temporal: system.deps.temporal, taskQueue: system.config.temporal.taskQueue, coalesceMs: system.config.commentIndex.coalesceMs };
  try {
    const askedAt = new Date();
    await requestFreshness(deps, key, askedAt);
    await eventually(async () => heldReads > 0, 'the crawl to start reading');
    // A claim that took its time before this crawl started marks the row only now (the crawl has
    // already cleared it): this crawl covers it, and nothing else will clear the mark.
    await requestFreshness(deps, key, askedAt);
  } finally {
    holding = false;
    release();
  }
  const crawled = await eventually(async () => {
    const row = await db.commentIndexTarget.findFirstOrThrow({ where: { id: backfilled.id } });
    return row.crawls > backfilled.crawls && row;
  }, 'the held crawl to complete');
  expect(crawled.crawlRequestedAt).toBeNull();

  // A claimant who comments now is signalled for, crawled and VERIFIED (not left waiting on the mark).
  fakeMeta.addInstagramComment(media.id, { username: 'late.claimant', atMs: Date.now() });
  const user = await system.request('POST', '/api/v1/end-users', { token: admin, body: { name: 'Late', phone: '+51987239999' } });
  const claimed = await system.request('POST', `/api/v1/tasks/${task.body.id}/claims`, {
    token: tokens.endUser(tenantId, user.body.id),
    body: { handle: 'late.claimant' },
  });
  expect(claimed.status).toBe(202);
  const row = await eventually(
    async () => {
      const found = await db.claim.findUniqueOrThrow({ where: { id: claimed.body.completionId } });
      return found.status !== 'PENDING' && found;
    },
    'the late claim to be decided',
    60_000,
    250,
  );
  expect(row.status).toBe('VERIFIED');
}, 180_000);

test('claims waiting for a held crawl hold no activity slot: each waits on its workflow timer and is VERIFIED once the crawl ends', async () => {
  const db = system.deps.db;
  const { tenantId, admin, media, task } = await indexedCommentTask('history-c', 'slots.store');

  // The claims' crawl is held at its first read until every claim has been seen waiting.
  let release!: () => void;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  let holding = true;
  fakeMeta.override('GET', new RegExp(`^/${media.id}/comments$`), async () => {
    if (holding) await held;
    return undefined;
  });
  const handles = Array.from({ length: 6 }, (_, i) => `slots.fan${i}`);
  for (const handle of handles) fakeMeta.addInstagramComment(media.id, { username: handle, atMs: Date.now() });
  const ids: string[] = [];
  try {
    for (const [i, handle] of handles.entries()) {
      const user = await system.request('POST', '/api/v1/end-users', {
        token: admin,
        body: { name: handle, phone: `+5198724${String(i).padStart(4, '0')}` },
      });
      const claimed = await system.request('POST', `/api/v1/tasks/${task.body.id}/claims`, {
        token: tokens.endUser(tenantId, user.body.id),
        body: { handle },
      });
      expect(claimed.status).toBe(202);
      ids.push(claimed.body.completionId);
    }
    // Each claim has looked at the index (it asked for the crawl) and now waits with no activity
    // pending: the wait is a timer in its workflow, not a verification activity polling in a slot.
    await eventually(
      async () => {
        const claims = await Promise.all(
          ids.map(async (id) => {
            const handle = system.deps.temporal.workflow.getHandle(claimWorkflowId(id));
            return { described: await handle.describe(), state: await handle.query(claimStateQuery) };
          }),
        );
        return claims.every(({ described, state }) => state.phase === 'VERIFYING' && (described.raw.pendingActivities ?? []).length === 0);
      },
      'every claim waiting on a timer with no pending activity',
      60_000,
      250,
    );
    const waiting = await db.claim.findMany({ where: { id: { in: ids } }, select: { status: true } });
    expect(waiting.map((row) => row.status)).toEqual(Array(ids.length).fill('PENDING'));
  } finally {
    holding = false;
    release();
  }
  const rows = await eventually(
    async () => {
      const found = await db.claim.findMany({ where: { id: { in: ids } }, select: { status: true } });
      return found.every((row) => row.status !== 'PENDING') && found;
    },
    'the claims decided once the crawl ends',
    60_000,
    250,
  );
  expect(rows.map((row) => row.status)).toEqual(Array(ids.length).fill('VERIFIED'));
}, 180_000);

/** A tenant with Instagram connected and a META_API comment task on a new media, its backfill done. */
async function indexedCommentTask(slug: string, username: string) {
  const db = system.deps.db;
  const tenantId = await system.createTenant(slug);
  const admin = tokens.tenantAdmin(tenantId);
  const account = fakeMeta.addInstagramAccount({ username });
  const token = fakeMeta.addToken({ scopes: ['instagram_basic', 'instagram_manage_comments'] }).token;
  await system.request('PUT', '/api/v1/tenant/settings', {
    token: admin,
    body: { metaConfig: { instagramAccountId: account.id, instagramToken: token } },
  });
  const campaign = await system.request('POST', '/api/v1/campaigns', { token: admin, body: { name: slug, notificationEnabled: false } });
  const media = fakeMeta.addInstagramMedia({ ownerId: account.id });
  const task = await system.request('POST', `/api/v1/campaigns/${campaign.body.id}/tasks`, {
    token: admin,
    body: { title: 'Comment', platform: 'INSTAGRAM', actionType: 'COMMENT', targetId: media.id, spinsReward: 1, verificationStrategy: 'META_API' },
  });
  expect(task.status).toBe(201);
  const backfilled = await eventually(
    async () => (await db.commentIndexTarget.findFirst({ where: { tenantId, completeThrough: { not: null } } })) ?? false,
    'the backfill',
  );
  return { tenantId, admin, media, task, backfilled };
}
