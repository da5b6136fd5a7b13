// The re-plan fan-out over 20,000 waiting claims survives being stopped mid-way: the stopped
// attempt stops signalling, the next resumes from the cursor its heartbeat carried, every waiting
// claim is signalled at least once and at most once more, and claims not verified yet or already
// notified are not signalled at all. The activity runs in Temporal's MockActivityEnvironment
// (cancelled as the server cancels a superseded attempt); signals go to a real Temporal dev server
// through a client whose interceptor counts them per claim; the claims are real rows.
import { Client, type WorkflowClientInterceptor } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { MockActivityEnvironment } from '@temporalio/testing';
import { pino } from 'pino';
import { createReplanActivities } from '../../activities/replan.js';
import { WAITING_PAGE_SIZE, type WaitingCursor } from '../../src/temporal/claim-signals.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createDevServerEnv } from '../support/temporal.js';
import { temporalLoggerOver } from '../../src/observability/temporal-logger.js';

const WAITING = 20_000;
let database: TestDatabase;
let temporalEnv: TestWorkflowEnvironment;
const signals = new Map<string, number>();
let tenantId: string;
let campaignId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  temporalEnv = await createDevServerEnv();
  const [tenant] = await database.query<{ id: string }>(
    `INSERT INTO "Tenant" (id, name, slug, "updatedAt") VALUES (gen_random_uuid()::text, 'Big', 'big-fanout', now()) RETURNING id`,
  );
  tenantId = tenant!.id;
  const [campaign] = await database.query<{ id: string }>(
    `INSERT INTO "Campaign" (id, "tenantId", name, "updatedAt") VALUES (gen_random_uuid()::text, $1, 'Big', now()) RETURNING id`,
    [tenantId],
  );
  campaignId = campaign!.id;
  const [task] = await database.query<{ id: string }>(
    `INSERT INTO "SocialMediaTask" (id, "tenantId", "campaignId", title, platform, "actionType", "spinsReward", "updatedAt")
     VALUES (gen_random_uuid()::text, $1, $2, 'Follow', 'INSTAGRAM', 'FOLLOW', 1, now()) RETURNING id`,
    [tenantId, campaignId],
  );
  await database.query(
    `INSERT INTO "EndUser" (id, "tenantId", name, phone, "updatedAt")
     SELECT 'fanout-user-' || n, $1, 'User ' || n, '+1' || lpad(n::text, 10, '0'), now() FROM generate_series(1, ${WAITING + 200}) AS n`,
    [tenantId],
  );
  // 20,000 verified claims waiting for their window, then 100 not verified yet and 100 already notified.
  await database.query(
    `INSERT INTO "SocialTaskCompletion" (id, "tenantId", "campaignId", "taskId", "userId", status, "notificationStatus", "workflowId", "updatedAt")
     SELECT c.id, $1, $2, $3, 'fanout-user-' || n,
            (CASE WHEN n <= ${WAITING} THEN 'VERIFIED' WHEN n <= ${WAITING + 100} THEN 'PENDING' ELSE 'VERIFIED' END)::"CompletionStatus",
            (CASE WHEN n <= ${WAITING} THEN 'WAITING_FOR_WINDOW' WHEN n <= ${WAITING + 100} THEN 'PENDING' ELSE 'SENT' END)::"NotificationStatus",
            'claim-' || c.id, now()
       FROM generate_series(1, ${WAITING + 200}) AS n, LATERAL (SELECT md5('fanout-' || n)::uuid::text AS id) AS c`,
    [tenantId, campaignId, task!.id],
  );
  await database.query('ANALYZE "SocialTaskCompletion"');
}, 120_000);

afterAll(async () => {
  await temporalEnv?.teardown();
  await database?.close();
});

/** A client like the worker's, whose interceptor counts every signal sent to a claim. */
function countingClient(): Client {
  const counting: WorkflowClientInterceptor = {
    async signal(input, next) {
      const { workflowId } = input.workflowExecution;
      signals.set(workflowId, (signals.get(workflowId) ?? 0) + 1);
      return next(input);
    },
  };
  return new Client({ connection: temporalEnv.connection, namespace: temporalEnv.namespace ?? 'default', interceptors: { workflow: [counting] } });
}

const totalSignals = () => [...signals.values()].reduce((sum, count) => sum + count, 0);

test('a fan-out stopped mid-way resumes from its cursor: each waiting claim signalled once, at most once more', async () => {
  const logger = pino({ level: 'silent' });
  const activities = createReplanActivities({ db: database.db, temporal: countingClient(), logger });
  const scope = { kind: 'campaign', tenantId, campaignId } as const;
  const quiet = { logger: temporalLoggerOver(logger, 'ERROR') };

  // First attempt: stopped (as the server cancels a superseded attempt) after about a third.
  const first = new MockActivityEnvironment({ activityType: 'signalWaitingClaims', heartbeatTimeoutMs: 30_000 }, quiet);
  let lastDetails: WaitingCursor | undefined;
  first.on('heartbeat', (details: WaitingCursor | undefined) => {
    if (details) lastDetails = details;
    if (totalSignals() >= WAITING / 3) first.cancel();
  });
  await expect(first.run(activities.signalWaitingClaims, scope)).rejects.toMatchObject({ type: 'Superseded' });
  const signalledByFirst = totalSignals();
  expect(signalledByFirst).toBeLessThan(WAITING);
  expect(lastDetails).toBeDefined();

  // The retry carries the last heartbeat's details, as Temporal hands them to the next attempt.
  const second = new MockActivityEnvironment(
    { activityType: 'signalWaitingClaims', heartbeatTimeoutMs: 30_000, heartbeatDetails: lastDetails },
    quiet,
  );
  await second.run(activities.signalWaitingClaims, scope);

  const waiting = await database.query<{ workflowId: string; status: string; notificationStatus: string }>(
    `SELECT "workflowId", status::text, "notificationStatus"::text AS "notificationStatus" FROM "SocialTaskCompletion" WHERE "campaignId" = $1`,
    [campaignId],
  );
  const counts = (filter: (row: (typeof waiting)[number]) => boolean) => waiting.filter(filter).map((row) => signals.get(row.workflowId) ?? 0);
  const waitingCounts = counts((row) => row.notificationStatus === 'WAITING_FOR_WINDOW');
  expect(waitingCounts).toHaveLength(WAITING);
  expect(Math.min(...waitingCounts)).toBe(1);
  expect(Math.max(...waitingCounts)).toBeLessThanOrEqual(2);
  // Only the page in flight when the first attempt stopped is signalled again.
  expect(waitingCounts.filter((count) => count === 2).length).toBeLessThanOrEqual(WAITING_PAGE_SIZE);
  // Not verified yet (they plan after verification) or already notified: never signalled.
  expect(counts((row) => row.notificationStatus !== 'WAITING_FOR_WINDOW').every((count) => count === 0)).toBe(true);
}, 300_000);
