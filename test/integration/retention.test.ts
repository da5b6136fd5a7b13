// The retention schedule: created once (idempotent), and its run deletes processed webhook
// deliveries and delivery statuses older than RETENTION_DAYS, in batches, keeping everything the
// system still owes work (unprocessed deliveries) and everything recent. Real dev server + worker.
import { randomUUID } from 'node:crypto';
import { createRetentionActivities } from '../../activities/retention.js';
import { loadConfig } from '../../src/config.js';
import { ensureRetentionSchedule, RETENTION_SCHEDULE_ID } from '../../src/temporal/retention-schedule.js';
import { eventually } from '../support/eventually.js';
import { startTestSystem, type TestSystem } from '../support/system.js';

let system: TestSystem;
const DAY_MS = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS);

beforeAll(async () => {
  system = await startTestSystem({ env: { RETENTION_DAYS: '30' } });
}, 60_000);

afterAll(async () => {
  await system?.stop();
});

async function webhookEvent(receivedDaysAgo: number, processedDaysAgo: number | null) {
  return system.deps.db.webhookEvent.create({
    data: {
      dedupeKey: randomUUID(),
      object: 'whatsapp_business_account',
      payload: { filler: 'x'.repeat(1_000) },
      receivedAt: daysAgo(receivedDaysAgo),
      processedAt: processedDaysAgo === null ? null : daysAgo(processedDaysAgo),
    },
  });
}

async function statusEvent(createdDaysAgo: number, appliedDaysAgo: number | null) {
  return system.deps.db.messageStatusEvent.create({
    data: {
      providerMessageId: `wamid.${randomUUID()}`,
      status: 'delivered',
      occurredAt: daysAgo(createdDaysAgo),
      createdAt: daysAgo(createdDaysAgo),
      appliedAt: appliedDaysAgo === null ? null : daysAgo(appliedDaysAgo),
    },
  });
}

test('the schedule is created once, left alone when it is right, and repaired when RETENTION_DAYS changes', async () => {
  expect(await ensureRetentionSchedule(system.deps.temporal, system.config)).toBe('created');
  expect(await ensureRetentionSchedule(system.deps.temporal, system.config)).toBe('unchanged');
  const changed = loadConfig(testEnvWith({ RETENTION_DAYS: '7' }));
  expect(await ensureRetentionSchedule(system.deps.temporal, changed)).toBe('updated');
  const description = await system.deps.temporal.schedule.getHandle(RETENTION_SCHEDULE_ID).describe();
  expect(description.action).toMatchObject({ type: 'startWorkflow', workflowType: 'pruneRetainedRows', args: [{ retentionDays: 7 }] });
  expect(description.policies.overlap).toBe('SKIP');
  expect(await ensureRetentionSchedule(system.deps.temporal, system.config)).toBe('updated');
});

test('a triggered run deletes old processed deliveries and old statuses, and keeps what is owed or recent', async () => {
  const oldProcessed = await Promise.all([webhookEvent(45, 44), webhookEvent(40, 40), webhookEvent(31, 31)]);
  const oldUnprocessed = await webhookEvent(45, null);
  const recentProcessed = await webhookEvent(2, 2);
  const oldApplied = await statusEvent(50, 49);
  const oldNeverMatched = await statusEvent(40, null);
  const recentNeverMatched = await statusEvent(1, null);

  await ensureRetentionSchedule(system.deps.temporal, system.config);
  await system.deps.temporal.schedule.getHandle(RETENTION_SCHEDULE_ID).trigger();

  await eventually(
    async () => (await system.deps.db.webhookEvent.count({ where: { id: { in: oldProcessed.map((e) => e.id) } } })) === 0,
    'old processed deliveries to be deleted',
  );
  await eventually(
    async () => (await system.deps.db.messageStatusEvent.count({ where: { id: { in: [oldApplied.id, oldNeverMatched.id] } } })) === 0,
    'old statuses to be deleted',
  );
  expect(await system.deps.db.webhookEvent.count({ where: { id: { in: [oldUnprocessed.id, recentProcessed.id] } } })).toBe(2);
  expect(await system.deps.db.messageStatusEvent.count({ where: { id: recentNeverMatched.id } })).toBe(1);
});

test('deletes in batches until nothing older than the cutoff is left', async () => {
  const old = await Promise.all(Array.from({ length: 7 }, () => webhookEvent(60, 60)));
  const statuses = await Promise.all(Array.from({ length: 5 }, () => statusEvent(60, null)));
  const prune = createRetentionActivities({ db: system.deps.db }).pruneRetainedRows;
  const result = await prune({ retentionDays: 30, now: new Date().toISOString(), batchSize: 2 });
  expect(result.webhookEvents).toBeGreaterThanOrEqual(7);
  expect(result.messageStatusEvents).toBeGreaterThanOrEqual(5);
  expect(await system.deps.db.webhookEvent.count({ where: { id: { in: old.map((e) => e.id) } } })).toBe(0);
  expect(await system.deps.db.messageStatusEvent.count({ where: { id: { in: statuses.map((e) => e.id) } } })).toBe(0);
});

/** The test system's environment with some variables changed. */
function testEnvWith(overrides: Record<string, string>): Record<string, string> {
  return {
    JWT_SECRET: system.config.jwtSecret,
    TOKEN_ENCRYPTION_KEY: system.config.tokenEncryptionKey.toString('base64'),
    TEMPORAL_TASK_QUEUE: system.config.temporal.taskQueue,
    ...overrides,
  };
}
