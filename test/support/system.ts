// The whole system for integration tests: the real Express app on a random port, a fresh migrated
// database, a real Temporal dev server, and a worker running our workflows and activities.
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import type { ActivityDeps } from '../../activities/deps.js';
import { loadConfig, type AppConfig } from '../../src/config.js';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { createApp } from '../../src/http/app.js';
import { clientInterceptors } from '../../src/observability/temporal-interceptors.js';
import { CLAIM_WORKFLOW_TYPE } from '../../workflows/definitions.js';
import { createLogger } from '../../src/logger.js';
import type { AppDeps } from '../../src/http/deps.js';
import { configureSendQueue, createSendWorker } from '../../src/worker/send-queue.js';
import { createWorker } from '../../src/worker/worker.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import type { IssuedQuery } from '../../src/db/client.js';
import { createDevServerEnv } from './temporal.js';
import { TEST_ENCRYPTION_KEY, TEST_JWT_AUDIENCE, TEST_JWT_ISSUER, TEST_JWT_SECRET, tokens } from './tokens.js';
import { graphClientFromConfig } from '../../src/integrations/meta/graph-client-from-config.js';

export interface TestResponse<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface TestSystem {
  readonly url: string;
  readonly config: AppConfig;
  readonly deps: AppDeps & ActivityDeps;
  readonly database: TestDatabase;
  readonly temporalEnv: TestWorkflowEnvironment;
  readonly worker: Worker | undefined;
  /** The worker of the send task queue (paced per channel), in the same process as `worker` in production. */
  readonly sendWorker: Worker | undefined;
  request<T = any>(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<TestResponse<T>>;
  /** Creates a tenant through POST /api/v1/tenants as the platform admin; returns its id. */
  createTenant(slug: string): Promise<string>;
  stop(): Promise<void>;
}

export const BASE_TEST_ENV = {
  JWT_SECRET: TEST_JWT_SECRET,
  JWT_ISSUER: TEST_JWT_ISSUER,
  JWT_AUDIENCE: TEST_JWT_AUDIENCE,
  // The fakes listen on 127.0.0.1; tests of the private-network rule turn this off themselves.
  OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true',
  TOKEN_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
  CLAIM_VERIFY_DELAY: '500ms',
  META_APP_ID: 'test-app-id',
  META_APP_SECRET: 'test-app-secret',
  META_WEBHOOK_VERIFY_TOKEN: 'test-verify-token',
  META_OAUTH_REDIRECT_URI: 'http://127.0.0.1:3000/meta/callback',
  META_EMBEDDED_SIGNUP_CONFIG_ID: 'test-es-config',
  PUBLIC_APP_URL: 'https://campaigns.example.test',
  OUTBOUND_HTTP_TIMEOUT: '2s',
  LOG_LEVEL: 'silent',
};

export async function startTestSystem(
  options: {
    env?: Record<string, string>;
    worker?: boolean;
    logger?: Logger;
    /** collects every log line (level debug) */
    logLines?: string[];
    /** sees every statement the API and the worker send to the database */
    onQuery?: (query: IssuedQuery) => void;
    /** A running Temporal server to use instead of a fresh dev server (see createDevServerEnv) */
    temporalAddress?: string;
    /** connections of the one pool the API and the worker share (5: enough for tests; benches size it like production) */
    databasePoolSize?: number;
  } = {},
): Promise<TestSystem> {
  const database = await createTestDatabase({
    ...(options.onQuery ? { onQuery: options.onQuery } : {}),
    ...(options.databasePoolSize ? { maxConnections: options.databasePoolSize } : {}),
  });
  const temporalEnv = await createDevServerEnv({ address: options.temporalAddress });
  const config = loadConfig({
    ...BASE_TEST_ENV,
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: 'dev-server',
    TEMPORAL_TASK_QUEUE: `test-${randomBytes(4).toString('hex')}`,
    ...options.env,
  });
  const deps = {
    config,
    db: database.db,
    // Like the API process's client: with the tracing and claim-start interceptors.
    temporal: new Client({
      connection: temporalEnv.connection,
      namespace: temporalEnv.namespace ?? 'default',
      interceptors: clientInterceptors(CLAIM_WORKFLOW_TYPE),
    }),
    secrets: createSecretBox([config.tokenEncryptionKey]),
    logger: options.logger ?? (options.logLines ? capturingLogger(options.logLines) : pino({ level: 'silent' })),
    graph: graphClientFromConfig(config),
  };
  const server: Server = await new Promise((resolve) => {
    const listening = createApp(deps).listen(0, '127.0.0.1', () => resolve(listening));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let sendWorker: Worker | undefined;
  if (options.worker !== false) {
    worker = await createWorker({ connection: temporalEnv.nativeConnection, deps });
    await configureSendQueue(deps.temporal, config, deps.logger);
    sendWorker = await createSendWorker({ connection: temporalEnv.nativeConnection, deps });
    running = Promise.all([worker.run(), sendWorker.run()]).then(() => undefined);
  }

  const system: TestSystem = {
    url,
    config,
    deps,
    database,
    temporalEnv,
    worker,
    sendWorker,
    async request(method, path, requestOptions = {}) {
      const headers: Record<string, string> = { ...requestOptions.headers };
      if (requestOptions.token) headers.authorization = `Bearer ${requestOptions.token}`;
      let body: string | undefined = requestOptions.rawBody;
      if (requestOptions.body !== undefined) {
        body = JSON.stringify(requestOptions.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(`${url}${path}`, { method, headers, body });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = text;
      }
      return { status: response.status, body: parsed as any, text, headers: response.headers };
    },
    async createTenant(slug) {
      const response = await system.request('POST', '/api/v1/tenants', { token: tokens.platformAdmin(), body: { name: slug, slug } });
      if (response.status !== 201) throw new Error(`creating tenant ${slug}: ${response.status} ${response.text}`);
      return response.body.id as string;
    },
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (worker && running) {
        // A test may already have shut a worker down (e.g. to see it drain).
        for (const each of [worker, sendWorker]) if (each?.getState() === 'RUNNING') each.shutdown();
        await running;
      }
      await temporalEnv.teardown();
      await database.close();
    },
  };
  return system;
}

// The production logger (same redaction), at debug, writing into `lines`.
function capturingLogger(lines: string[]) {
  return createLogger(
    { level: 'debug', name: 'test' },
    new Writable({
      write: (chunk, _encoding, done) => {
        lines.push(String(chunk));
        done();
      },
    }),
  );
}
