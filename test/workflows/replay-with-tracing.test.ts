// Adding the OpenTelemetry workflow interceptors must not break claims already running: a history
// recorded by a worker without them replays on a worker with them (the SDK gates their extra
// behaviour behind flags recorded in new histories only).
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { WORKFLOW_INTERCEPTOR_MODULES, workflowSpanSinks } from '../../src/observability/temporal-interceptors.js';
import { WORKFLOWS_PATH } from '../../src/worker/worker.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startFakeHttpServer, type FakeHttpServer } from '../support/fake-http-server.js';
import { startClaimHarness, type ClaimHarness } from './claim-support.js';
import { seedClaim } from '../support/factories.js';

let database: TestDatabase;
let provider: FakeHttpServer;
let harness: ClaimHarness;

beforeAll(async () => {
  database = await createTestDatabase();
  provider = await startFakeHttpServer(() => ({ body: { id: `msg-${provider.requests.length}` } }));
  harness = await startClaimHarness(database.db);
}, 120_000);

afterAll(async () => {
  await harness?.teardown();
  await provider?.close();
  await database?.close();
});

test('a claim history recorded without tracing replays with the tracing interceptors', async () => {
  const claim = await seedClaim(database.db, harness.secrets, { providerUrl: `${provider.url}/send` });
  const handle = await harness.startClaim(claim.claimId);
  expect(await handle.result()).toEqual({ status: 'VERIFIED', notificationStatus: 'SENT' });

  const tracedBundle = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
  });
  await Worker.runReplayHistory(
    // The bundle already holds the interceptor modules; the worker needs the sink they export through.
    { workflowBundle: tracedBundle, sinks: workflowSpanSinks() },
    await handle.fetchHistory(),
    handle.workflowId,
  );
});
