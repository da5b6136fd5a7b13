// What the real server does not do by itself, done idempotently after every start: the namespace
// (retention 72h) and our search attributes (src/temporal/search-attributes.ts). Then it waits
// until the server serves: the namespace resolves in the frontend and the history service, and a
// visibility query on our search attributes is accepted.
import { Connection, isGrpcServiceError } from '@temporalio/client';
import { msToTs } from '@temporalio/common';
import { CLAIM_SEARCH_ATTRIBUTES } from '../temporal/search-attributes.js';

const RETENTION = '72h';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// gRPC status codes (@grpc/grpc-js is not a direct dependency).
const NOT_FOUND = 5;
const ALREADY_EXISTS = 6;
/** INDEXED_VALUE_TYPE_KEYWORD (the proto package is a dev dependency). */
const INDEXED_VALUE_TYPE_KEYWORD = 2;

function isCode(error: unknown, code: number): boolean {
  return isGrpcServiceError(error) && error.code === code;
}

/** One attempt: throws while the server is not ready yet. */
async function bootstrapOnce(connection: Connection, namespace: string): Promise<void> {
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs(RETENTION),
    });
  } catch (error) {
    if (!isCode(error, ALREADY_EXISTS)) throw error;
  }
  const known = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = CLAIM_SEARCH_ATTRIBUTES.filter((key) => !(key.name in (known.customAttributes ?? {})));
  if (missing.length > 0) {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((key) => [key.name, INDEXED_VALUE_TYPE_KEYWORD])),
    });
  }
  // A workflow that does not exist: NOT_FOUND (not "namespace not found") once the frontend and the
  // history service both know the namespace. Nothing is written.
  try {
    await connection.workflowService.getWorkflowExecutionHistory({ namespace, execution: { workflowId: 'readiness-probe-never-started' } });
  } catch (error) {
    if (!isCode(error, NOT_FOUND) || /namespace/i.test((error as Error).message)) throw error;
  }
  await connection.workflowService.countWorkflowExecutions({
    namespace,
    query: CLAIM_SEARCH_ATTRIBUTES.map((key) => `${key.name} = 'readiness-probe'`).join(' AND '),
  });
}

/** Registers the namespace and search attributes and waits until the server serves them. */
export async function bootstrapClusterTemporal(address: string, options: { namespace?: string; timeoutMs?: number } = {}): Promise<void> {
  const namespace = options.namespace ?? 'default';
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let lastError: unknown;
  while (Date.now() < deadline) {
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: 5_000 });
      await bootstrapOnce(connection, namespace);
      return;
    } catch (error) {
      lastError = error;
    } finally {
      await connection?.close().catch(() => undefined);
    }
    await sleep(500);
  }
  throw new Error(`the Temporal server at ${address} did not become ready: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
}
