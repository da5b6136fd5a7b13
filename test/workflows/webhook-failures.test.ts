// A Meta delivery whose processing keeps failing (a poison payload, a bug) is retried for the
// processing budget (an hour), then recorded as failed on its row and left to an operator: the
// start sweeper no longer picks it up and retention keeps it. Time-skipping server, our workflow
// bundle and activities against a real database; the one activity standing in for the bug throws.
import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { pino } from 'pino';
import { createActivities } from '../../activities/index.js';
import { createRetentionActivities } from '../../activities/retention.js';
import { unprocessedWebhooks } from '../../src/temporal/webhook-starter.js';
import { graphClientFromConfig } from '../../src/integrations/meta/graph-client-from-config.js';
import { PROCESS_WEBHOOK_WORKFLOW_TYPE, webhookWorkflowId } from '../../workflows/definitions.js';
import { dedupeKeyOf, fixture } from '../fixtures/meta-webhooks/helpers.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTimeSkippingEnv } from '../support/temporal.js';
import { TASK_QUEUE, testConfig, workflowBundle } from './claim-support.js';
import { createSecretBox } from '../../src/crypto/secret-box.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.close();
});

test('a delivery that keeps failing is recorded as failed after the processing budget and kept for an operator', async () => {
  const env = await createTimeSkippingEnv();
  const config = testConfig();
  let attempts = 0;
  const activities = {
    ...createActivities({
      config,
      db: database.db,
      secrets: createSecretBox([config.tokenEncryptionKey]),
      logger: pino({ level: 'silent' }),
      temporal: env.client,
      graph: graphClientFromConfig(config),
    }),
    // The bug: every attempt fails with a retryable error.
    async applyWebhookChanges(): Promise<never> {
      attempts++;
      throw ApplicationFailure.retryable('cannot read property of undefined', 'TypeError');
    },
  };
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUE, workflowBundle: await workflowBundle(), activities });
  const body = fixture('status-delivered');
  const event = await database.db.webhookEvent.create({
    data: {
      dedupeKey: dedupeKeyOf(body),
      object: 'whatsapp_business_account',
      payload: JSON.parse(body),
      receivedAt: new Date(Date.now() - 3_600_000),
    },
  });
  try {
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(PROCESS_WEBHOOK_WORKFLOW_TYPE, {
        workflowId: webhookWorkflowId(event.dedupeKey),
        taskQueue: TASK_QUEUE,
        args: [{ webhookEventId: event.id }],
      });
      await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    });
  } finally {
    await env.teardown();
  }
  expect(attempts).toBeGreaterThan(10);
  const row = await database.db.webhookEvent.findUniqueOrThrow({ where: { id: event.id } });
  expect(row.processedAt).toBeNull();
  expect(row.failedAt).not.toBeNull();
  expect(row.processingError).toMatch(/processing gave up: .*cannot read property of undefined/);

  // Left to an operator: the start sweeper does not take it, and retention does not delete it.
  const leased = await unprocessedWebhooks.lease(database.db, { cutoff: new Date(), limit: 100, leaseMs: 1_000 });
  expect(leased.map((each) => each.id)).not.toContain(event.id);
  const future = new Date(Date.now() + 400 * 86_400_000).toISOString();
  await createRetentionActivities({ db: database.db }).pruneRetainedRows({ retentionDays: 30, now: future });
  expect(await database.db.webhookEvent.count({ where: { id: event.id } })).toBe(1);
}, 120_000);
