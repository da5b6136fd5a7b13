// Real Temporal servers for tests: the Java time-skipping server for workflow logic, and the
// Temporal CLI dev server (real time, with Schedules) for integration tests. Both binaries come
// from the project-local install (scripts/install-temporal.sh) via src/temporal/binaries.ts.
// Default import: @temporalio/proto is CommonJS, and Node's ESM loader (tsx scripts) cannot see
// its named exports; jest and Node both hand the module object to a default import.
import protoModule from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { resolveTemporalCli, resolveTemporalTestServer, testingExecutable } from '../../src/temporal/binaries.js';
import { FAIRNESS_CLI_ARGS } from '../../src/temporal/fairness.js';
import { CLAIM_SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes.js';

const { temporal } = protoModule;

let runtimeInstalled = false;
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Already installed by another helper in this worker process.
  }
}

export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: testingExecutable(resolveTemporalTestServer()) },
  });
  // The Java test server knows no custom search attributes until they are added, and upserting
  // an unknown one fails the workflow task (the claim workflow upserts ClaimStatus).
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      CLAIM_SEARCH_ATTRIBUTES.map((key) => [key.name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]),
    ),
  });
  return env;
}

/**
 * The Temporal CLI dev server, or, when `address` or TEST_TEMPORAL_ADDRESS (set by `npm run
 * test:cluster`) names one, that running server (the real server on PostgreSQL), namespace default.
 */
export async function createDevServerEnv(options: { address?: string } = {}): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const address = options.address ?? process.env.TEST_TEMPORAL_ADDRESS;
  if (address) return TestWorkflowEnvironment.createFromExistingServer({ address, namespace: 'default' });
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: testingExecutable(resolveTemporalCli()),
      searchAttributes: [...CLAIM_SEARCH_ATTRIBUTES],
      // Sends are paced per channel by fairness keys, as in `npm run dev` (src/worker/send-queue.ts).
      extraArgs: [...FAIRNESS_CLI_ARGS],
    },
  });
}
