// Shared setup for claim workflow tests: a time-skipping Temporal server per test, our real
// workflow bundle and activities, a real database, and fake outside services over HTTP.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { pino } from 'pino';
import { createActivities } from '../../activities/index.js';
import { loadConfig, type AppConfig } from '../../src/config.js';
import { createSecretBox, type SecretBox } from '../../src/crypto/secret-box.js';
import type { Database } from '../../src/db/client.js';
import { preloadedWorkflowModules } from '../../src/worker/options.js';
import { WORKFLOWS_PATH } from '../../src/worker/worker.js';
import { CLAIM_WORKFLOW_TYPE, claimWorkflowId, type ClaimWorkflowInput } from '../../workflows/definitions.js';
import { startFakeMeta, type FakeMeta } from '../fakes/fake-meta.js';
import { startFakeWhatsappProvider, type FakeWhatsappProvider } from '../fakes/fake-whatsapp-provider.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { createTimeSkippingEnv } from '../support/temporal.js';
import { BASE_TEST_ENV } from '../support/system.js';
import type { WorkflowHandle } from '@temporalio/client';
import { graphClientFromConfig } from '../../src/integrations/meta/graph-client-from-config.js';
import { CAMPAIGN_ID, CLAIM_STATUS, TENANT_ID } from '../../src/temporal/search-attributes.js';
import { fakeMetaEnv } from '../support/factories.js';

export const TASK_QUEUE = 'claims-test';

let bundle: { code: string } | undefined;
export async function workflowBundle(): Promise<{ code: string }> {
  bundle ??= await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    preloadModules: preloadedWorkflowModules(WORKFLOWS_PATH),
    logger: quietBundlerLogger,
  });
  return bundle;
}

const quietBundlerLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: (message: string, meta?: Record<string, unknown>) => console.error(message, meta),
};

export function testConfig(env: Record<string, string> = {}): AppConfig {
  // Comment-index crawls coalesce for a moment in real time; claims here verify one at a time.
  return loadConfig({ ...BASE_TEST_ENV, TEMPORAL_TASK_QUEUE: TASK_QUEUE, COMMENT_INDEX_COALESCE: '50ms', ...env });
}

export interface ClaimHarness {
  env: TestWorkflowEnvironment;
  worker: Worker;
  secrets: SecretBox;
  config: AppConfig;
  /** Moves the test server's clock forward to `instant` (never backwards). */
  jumpTo(instant: Date): Promise<void>;
  now(): Promise<Date>;
  startClaim(claimId: string, overrides?: Partial<ClaimWorkflowInput>): Promise<WorkflowHandle>;
  teardown(): Promise<void>;
}

/** Replaces some of the real activities, to stand in for what no fake can do (a crawl that dies). */
export type ActivityOverrides = (real: ReturnType<typeof createActivities>) => Partial<ReturnType<typeof createActivities>>;

export async function startClaimHarness(db: Database, env: Record<string, string> = {}, overrides?: ActivityOverrides): Promise<ClaimHarness> {
  const config = testConfig(env);
  const secrets = createSecretBox([config.tokenEncryptionKey]);
  const temporalEnv = await createTimeSkippingEnv();
  const activities = createActivities({
    config,
    db,
    secrets,
    logger: pino({ level: 'silent' }),
    temporal: temporalEnv.client,
    graph: graphClientFromConfig(config),
  });
  const worker = await Worker.create({
    connection: temporalEnv.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowBundle: await workflowBundle(),
    activities: { ...activities, ...overrides?.(activities) },
  });
  const running = worker.run();
  return {
    env: temporalEnv,
    worker,
    secrets,
    config,
    async jumpTo(instant) {
      const delta = instant.getTime() - (await temporalEnv.currentTimeMs());
      if (delta < 0) throw new Error(`cannot move the test clock backwards to ${instant.toISOString()}`);
      if (delta > 0) await temporalEnv.sleep(delta);
    },
    now: async () => new Date(await temporalEnv.currentTimeMs()),
    async startClaim(claimId, overrides = {}) {
      const claim = await db.claim.findUniqueOrThrow({ where: { id: claimId } });
      const input: ClaimWorkflowInput = {
        claimId,
        tenantId: claim.tenantId,
        campaignId: claim.campaignId,
        verifyDelayMs: 5 * 60_000,
        manualReviewTimeoutMs: 7 * 24 * 3_600_000,
        credentialRetryWindowMs: 24 * 3_600_000,
        notificationMaxDelayMs: 7 * 24 * 3_600_000,
        // One worker polls both: sends run on the workflow's own queue here.
        sendTaskQueue: TASK_QUEUE,
        ...overrides,
      };
      return temporalEnv.client.workflow.start(CLAIM_WORKFLOW_TYPE, {
        workflowId: claimWorkflowId(claimId),
        taskQueue: TASK_QUEUE,
        args: [input],
        // As the API's starter sets them (src/temporal/claim-starter.ts).
        typedSearchAttributes: [
          { key: TENANT_ID, value: claim.tenantId },
          { key: CAMPAIGN_ID, value: claim.campaignId },
          { key: CLAIM_STATUS, value: claim.status },
        ],
      });
    },
    async teardown() {
      worker.shutdown();
      await running;
      await temporalEnv.teardown();
    },
  };
}

/** Every string and payload of a value (a history event), decoded: local activities' markers name their type in payload bytes. */
export function textOf(value: unknown, out: string[] = []): string[] {
  if (value instanceof Uint8Array) out.push(Buffer.from(value).toString('utf8'));
  else if (typeof value === 'string') out.push(value);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) textOf(item, out);
  return out;
}

/** Whether a history event is an activity (scheduled) or local activity (marker) of one of `types`. */
export function isActivityOf(
  event: {
    activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null;
    markerRecordedEventAttributes?: unknown;
  },
  types: readonly string[],
): boolean {
  const scheduled = event.activityTaskScheduledEventAttributes?.activityType?.name;
  if (scheduled) return types.includes(scheduled);
  if (!event.markerRecordedEventAttributes) return false;
  const text = textOf(event.markerRecordedEventAttributes).join(' ');
  return types.some((type) => text.includes(`"${type}"`));
}

/** The local activities that record a claim's verification. */
export const RECORDS_VERIFICATION = ['recordAndPlan', 'verifyAndPlan'] as const;

/** The workflow-clock time at which the first activity (or local activity) of `activityType` was scheduled (recorded). */
export async function activityScheduledAt(handle: WorkflowHandle, activityType: string | readonly string[]): Promise<Date | undefined> {
  const types = typeof activityType === 'string' ? [activityType] : activityType;
  const history = await handle.fetchHistory();
  for (const event of history.events ?? []) {
    if (isActivityOf(event, types) && event.eventTime) {
      const seconds = Number(event.eventTime.seconds ?? 0);
      return new Date(seconds * 1000 + Math.floor((event.eventTime.nanos ?? 0) / 1e6));
    }
  }
  return undefined;
}

/** Polls (in real time) until `predicate` holds for the claim row. */
export async function waitForClaim(
  db: Database,
  claimId: string,
  predicate: (row: Awaited<ReturnType<Database['claim']['findUniqueOrThrow']>>) => boolean,
  timeoutMs = 20_000,
) {
  return eventually(
    async () => {
      const row = await db.claim.findUniqueOrThrow({ where: { id: claimId } });
      return predicate(row) && row;
    },
    `completion ${claimId} to match`,
    timeoutMs,
  );
}

/** The first instant at or after `from` whose wall clock in `timeZone` reads `hh:mm`. */
export function nextLocalTime(from: Date, timeZone: string, hh: number, mm: number): Date {
  const format = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const start = Math.ceil(from.getTime() / 60_000) * 60_000;
  for (let t = start; t < start + 3 * 86_400_000; t += 60_000) {
    const parts = format.formatToParts(new Date(t));
    const hour = Number(parts.find((p) => p.type === 'hour')?.value);
    const minute = Number(parts.find((p) => p.type === 'minute')?.value);
    if (hour === hh && minute === mm) return new Date(t);
  }
  throw new Error(`no ${hh}:${mm} in ${timeZone} within 3 days`);
}

export interface ClaimTestWorld {
  readonly database: TestDatabase;
  /** A fresh time-skipping server and worker for each test */
  readonly harness: ClaimHarness;
  /** Present when the file asked for it (`metaAppSecret`) */
  readonly fakeMeta: FakeMeta;
  /** Present when the file asked for it (`providerKey`) */
  readonly provider: FakeWhatsappProvider;
}

/**
 * The setup every claim-workflow test file repeats: per file, a database and the fakes it asks for
 * (fake Meta with that app secret, a tenant WhatsApp provider with that key) and the workflow
 * bundle; per test, a fresh harness (pointed at the fake Meta when there is one, with the file's
 * `harnessEnv` on top and its `activityOverrides`). Registers the
 * jest hooks; read the parts through the returned object once they have run.
 */
export function useClaimTestWorld(
  options: { metaAppSecret?: string; providerKey?: string; harnessEnv?: Record<string, string>; activityOverrides?: ActivityOverrides } = {},
): ClaimTestWorld {
  let database: TestDatabase | undefined;
  let harness: ClaimHarness | undefined;
  let fakeMeta: FakeMeta | undefined;
  let provider: FakeWhatsappProvider | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    if (options.metaAppSecret) fakeMeta = await startFakeMeta({ appSecret: options.metaAppSecret });
    if (options.providerKey) provider = await startFakeWhatsappProvider({ apiKey: options.providerKey });
    await workflowBundle();
  }, 120_000);
  afterAll(async () => {
    await provider?.close();
    await fakeMeta?.close();
    await database?.close();
  });
  beforeEach(async () => {
    harness = await startClaimHarness(database!.db, { ...(fakeMeta ? fakeMetaEnv(fakeMeta) : {}), ...options.harnessEnv }, options.activityOverrides);
  });
  afterEach(async () => {
    await harness?.teardown();
  });

  const present = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not part of this test file's world (or its hooks have not run)`);
    return value;
  };
  return {
    get database() {
      return present(database, 'the database');
    },
    get harness() {
      return present(harness, 'the harness');
    },
    get fakeMeta() {
      return present(fakeMeta, 'the fake Meta');
    },
    get provider() {
      return present(provider, 'the WhatsApp provider');
    },
  };
}
