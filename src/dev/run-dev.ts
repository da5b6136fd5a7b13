// `npm run dev`: the whole system on one machine with no outside services. Embedded PostgreSQL
// (data under .data/), the Temporal dev server with its UI (unless TEMPORAL_ADDRESS is set; with
// TEMPORAL_TOPOLOGY=cluster the real Temporal server on PostgreSQL instead, no UI),
// migrations, a demo tenant, dev secrets generated into .data/ when unset, then the API and the
// worker in this process. Ctrl-C stops everything; the next run keeps the data.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { signAccessToken, type JwtSettings } from '../http/auth.js';
import { applyMigrations } from '../db/migrate.js';
import { createDatabase } from '../db/client.js';
import { startEmbeddedPostgres, type RunningPostgres } from '../db/embedded-postgres.js';
import { PROJECT_ROOT } from '../temporal/binaries.js';
import { loadOrCreateDevSecrets } from './dev-secrets.js';
import { startClusterTemporalServer } from './cluster-temporal-server.js';
import { startDevTemporalServer, type DevTemporalServer } from './dev-temporal-server.js';
import { postgresTarget, type PostgresTarget } from './temporal-cluster-databases.js';
import { temporalTopology } from './topology.js';
import { startDevWhatsappSink, type DevWhatsappSink } from './dev-whatsapp-sink.js';
import { seedDemoTenant } from './seed-demo.js';

const DATA_DIR = join(PROJECT_ROOT, '.data');
const DEV_DATABASE = 'social_tasks';
const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

async function main(): Promise<void> {
  mkdirSync(DATA_DIR, { recursive: true });
  const stops: Array<() => Promise<unknown>> = [];
  const shutdown = async (code: number) => {
    for (const stop of stops.reverse()) await stop().catch((error) => console.error(error));
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  try {
    const topology = temporalTopology();
    // 1. Secrets: explicit env vars win; otherwise the ones kept in .data/.
    const secrets = loadOrCreateDevSecrets(DATA_DIR);
    for (const [name, value] of Object.entries(secrets)) process.env[name] ??= value;
    // The dev stand-ins (WhatsApp sink, fakes) live on 127.0.0.1; production keeps private networks closed.
    process.env.OUTBOUND_ALLOW_PRIVATE_NETWORKS ??= 'true';
    // Demo tokens carry an issuer and audience, as production tokens should.
    process.env.JWT_ISSUER ??= 'social-tasks-dev';
    process.env.JWT_AUDIENCE ??= 'social-tasks-api';

    // 2. PostgreSQL (with TEMPORAL_TOPOLOGY=cluster also Temporal's, unless TEMPORAL_DATABASE_URL names one).
    let temporalPostgres: PostgresTarget | undefined = process.env.TEMPORAL_DATABASE_URL
      ? postgresTarget(process.env.TEMPORAL_DATABASE_URL)
      : undefined;
    if (!process.env.DATABASE_URL) {
      const postgres: RunningPostgres = await startEmbeddedPostgres({
        dataDir: join(DATA_DIR, 'postgres'),
        port: port('DEV_POSTGRES_PORT', 54329),
        persistent: true,
      });
      stops.push(() => postgres.stop());
      await postgres.createDatabase(DEV_DATABASE).catch((error: Error) => {
        if (!/already exists/.test(error.message)) throw error;
      });
      process.env.DATABASE_URL = postgres.url(DEV_DATABASE);
      temporalPostgres ??= postgresTarget(postgres.adminUrl);
    }
    const { applied } = await applyMigrations(process.env.DATABASE_URL, join(PROJECT_ROOT, 'prisma', 'migrations'));
    if (applied.length > 0) console.log(`Applied migrations: ${applied.join(', ')}`);

    // 3. Temporal.
    let uiUrl = process.env.TEMPORAL_UI_URL ?? '(your Temporal UI)';
    if (!process.env.TEMPORAL_ADDRESS && topology === 'cluster') {
      if (!temporalPostgres) throw new Error('TEMPORAL_TOPOLOGY=cluster with your own DATABASE_URL: set TEMPORAL_DATABASE_URL too');
      const temporal = await startClusterTemporalServer({
        dataDir: join(DATA_DIR, 'temporal-cluster'),
        postgres: temporalPostgres,
        port: port('DEV_TEMPORAL_PORT', 7233),
      });
      stops.push(() => temporal.stop());
      process.env.TEMPORAL_ADDRESS = temporal.address;
      uiUrl = `(none with TEMPORAL_TOPOLOGY=cluster; temporal CLI: --address ${temporal.address})`;
    } else if (!process.env.TEMPORAL_ADDRESS) {
      const temporal: DevTemporalServer = await startDevTemporalServer({
        dataDir: DATA_DIR,
        port: port('DEV_TEMPORAL_PORT', 7233),
        uiPort: port('DEV_TEMPORAL_UI_PORT', 8233),
      });
      stops.push(() => temporal.stop());
      process.env.TEMPORAL_ADDRESS = temporal.address;
      uiUrl = temporal.uiUrl;
    }

    // 4. A platform WhatsApp provider that prints messages, unless a real one is configured.
    if (!process.env.WHATSAPP_API_URL) {
      const sink: DevWhatsappSink = await startDevWhatsappSink(port('DEV_WHATSAPP_SINK_PORT', 3999), (line) => console.log(line));
      stops.push(() => sink.stop());
      process.env.WHATSAPP_API_URL = sink.url;
      process.env.WHATSAPP_API_KEY = sink.apiKey;
      process.env.WHATSAPP_INSTANCE_ID ??= 'dev';
    }

    // 5. Demo data, then the API and the worker (both read the environment prepared above).
    const db = createDatabase(process.env.DATABASE_URL, { maxConnections: 2 });
    const demo = await seedDemoTenant(db);
    await db.$disconnect();

    const { startWorker } = await import('../main/worker.js');
    const worker = await startWorker({ dev: true });
    stops.push(async () => {
      // The SDK's runtime also reacts to SIGINT/SIGTERM by shutting the worker down itself.
      if (worker.worker.getState() === 'RUNNING') worker.stop();
      await worker.running;
    });
    const { startApi } = await import('../main/api.js');
    const api = await startApi({ dev: true });
    stops.push(() => api.stop());

    printWelcome({
      apiUrl: `http://localhost:${process.env.PORT ?? 3000}`,
      uiUrl,
      demo,
      jwt: { secret: process.env.JWT_SECRET!, issuer: process.env.JWT_ISSUER, audience: process.env.JWT_AUDIENCE },
    });
  } catch (error) {
    console.error(`npm run dev failed: ${error instanceof Error ? error.message : String(error)}`);
    await shutdown(1);
  }
}

function printWelcome(options: { apiUrl: string; uiUrl: string; demo: Awaited<ReturnType<typeof seedDemoTenant>>; jwt: JwtSettings }) {
  const { ids } = options.demo;
  // Within the default per-role caps (JWT_ADMIN_MAX_LIFETIME 30d, JWT_END_USER_MAX_LIFETIME 24h).
  const days30 = 30 * 24 * 3600;
  const hours24 = 24 * 3600;
  const admin = signAccessToken({ userId: 'demo-admin', role: 'tenant_admin', tenantId: ids.tenantId }, options.jwt, days30).token;
  const endUser = signAccessToken({ userId: ids.endUserId, role: 'end_user', tenantId: ids.tenantId }, options.jwt, hours24).token;
  const platform = signAccessToken({ userId: 'demo-platform-admin', role: 'platform_admin' }, options.jwt, days30).token;
  const firstTask = Object.entries(ids.taskIds).find(([title]) => title.startsWith('Follow'))?.[1] ?? Object.values(ids.taskIds)[0];
  console.log(`
Social tasks backend is running${options.demo.created ? ' (demo tenant created)' : ''}
  API          ${options.apiUrl}   (readiness: ${options.apiUrl}/readyz)
  Temporal UI  ${options.uiUrl}
  Data         ${DATA_DIR}

Demo JWTs (admins valid 30 days, end user 24 hours; each run prints fresh ones):
  tenant_admin   ${admin}
  end_user       ${endUser}
  platform_admin ${platform}

Try it:
  curl -s ${options.apiUrl}/api/v1/tenant/settings -H "Authorization: Bearer ${admin}"
  curl -s -X POST ${options.apiUrl}/api/v1/tasks/${firstTask}/claims -H "Authorization: Bearer ${endUser}" -H 'content-type: application/json' -d '{"handle":"@ana.cruz"}'
  (set CLAIM_VERIFY_DELAY=2s to see claims verify quickly; messages to the dev WhatsApp provider print here)
`);
}

void main();
