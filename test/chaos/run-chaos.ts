// `npm run chaos`: fault injection against the real processes. PostgreSQL, the Temporal dev
// server, the API and the worker run as separate processes; a slow WhatsApp provider and a fake
// Meta (Cloud API) are the outside world. While a few hundred claims go through, the worker is
// SIGKILLed again and again (while provider requests are in flight; once SIGTERMed to drain), the
// API is SIGKILLed, Temporal is SIGKILLed and restarted on the same state, and PostgreSQL is
// restarted. Then it waits for every claim to settle and prints:
//   claims N, sent N, unknown N, lost N, duplicated N
// and exits 1 when any claim was lost or any recipient got a message twice.
// Sizes: CHAOS_CLAIMS (default 300), CHAOS_WORKER_KILLS (default 8).
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import jwt from 'jsonwebtoken';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { createDatabase, type Database } from '../../src/db/client.js';
import { applyMigrations } from '../../src/db/migrate.js';
import { waitForPort } from '../../src/dev/dev-temporal-server.js';
import { signMetaPayload } from '../../src/features/webhooks/meta-signature.js';
import { PROJECT_ROOT } from '../../src/temporal/binaries.js';
import { startFakeMeta } from '../fakes/fake-meta.js';
import { ourProcess, RestartablePostgres, temporalServer } from './processes.js';
import { startSlowProvider } from './slow-provider.js';

const CLAIMS = Number(process.env.CHAOS_CLAIMS ?? 300);
const WORKER_KILLS = Number(process.env.CHAOS_WORKER_KILLS ?? 8);
const SETTLE_TIMEOUT_MS = 8 * 60_000;
const FINAL = new Set(['SENT', 'DELIVERED', 'READ', 'FAILED', 'SKIPPED', 'UNKNOWN']);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const say = (line: string) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}`);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, intervalMs = 200): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(intervalMs);
  }
  return false;
}

async function main(): Promise<number> {
  const workDir = mkdtempSync(join(tmpdir(), 'social-tasks-chaos-'));
  // As root, embedded PostgreSQL runs as its own user, which must reach its data directory inside.
  chmodSync(workDir, 0o755);
  say(`work dir ${workDir} (process logs are there)`);
  const [pgPort, temporalPort, apiPort] = [await freePort(), await freePort(), await freePort()];

  // Outside world.
  const provider = await startSlowProvider();
  const appSecret = randomBytes(16).toString('hex');
  const fakeMeta = await startFakeMeta({ appSecret, serviceWindow: 'off' });
  const waba = fakeMeta.addWaba({ name: 'Chaos WABA' });
  const phone = fakeMeta.addPhoneNumber(waba.id, {});
  const businessToken = fakeMeta.addBusinessToken([waba.id], { assets: [waba.id, phone.id] });
  // Cloud API sends are carried out at once and answered late: in flight when the worker dies.
  fakeMeta.failNext({ path: /\/messages$/, delayMs: 700, times: 1_000_000 });

  // Our infrastructure.
  const postgres = new RestartablePostgres(join(workDir, 'postgres'), pgPort);
  const pg = await postgres.start();
  await pg.createDatabase('chaos');
  const databaseUrl = pg.url('chaos');
  await applyMigrations(databaseUrl, join(PROJECT_ROOT, 'prisma', 'migrations'));
  const temporal = temporalServer(workDir, temporalPort, workDir);
  await temporal.start();

  const jwtSecret = randomBytes(32).toString('hex');
  const encryptionKey = randomBytes(32);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    TEMPORAL_TASK_QUEUE: 'chaos',
    JWT_SECRET: jwtSecret,
    TOKEN_ENCRYPTION_KEY: encryptionKey.toString('base64'),
    CLAIM_VERIFY_DELAY: '1s',
    PORT: String(apiPort),
    META_GRAPH_BASE_URL: fakeMeta.url,
    META_APP_ID: fakeMeta.appId,
    META_APP_SECRET: appSecret,
    OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true',
    // The run measures throughput, not the claim-rate limits: budgets far above what it sends.
    CLAIM_RATE_PER_USER: '1000000',
    CLAIM_RATE_PER_TENANT: '1000000',
    OUTBOUND_HTTP_TIMEOUT: '5s',
    // The API refuses to start with an open /metrics outside dev and tests.
    METRICS_TOKEN: randomBytes(16).toString('hex'),
    LOG_LEVEL: 'warn',
  };
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const api = ourProcess('api', env, workDir, () => waitForPort('127.0.0.1', apiPort, 60_000));
  const worker = ourProcess('worker', env, workDir, async () => {});

  // Two tenants: one sends through its own (slow) provider, one through its Cloud API number.
  const db = createDatabase(databaseUrl, { maxConnections: 4 });
  const { users, taskOf } = await seed(db, {
    providerUrl: provider.url,
    encryptionKey,
    waba: waba.id,
    phoneNumberId: phone.id,
    token: businessToken.token,
  });

  await api.start();
  await worker.start();
  say(`stack up: API ${apiUrl}, Temporal 127.0.0.1:${temporalPort}, PostgreSQL ${pgPort}; ${CLAIMS} claims, ${WORKER_KILLS} worker kills`);

  // Claims, each retried until the API accepts it (the API itself dies during the run).
  const accepted = new Map<string, string>(); // completionId → user phone digits
  let nextUser = 0;
  const intake = Promise.all(
    Array.from({ length: 8 }, async () => {
      while (nextUser < users.length) {
        const user = users[nextUser++]!;
        const token = jwt.sign({ role: 'end_user', tenantId: user.tenantId }, jwtSecret, { algorithm: 'HS256', subject: user.id, expiresIn: 3600 });
        for (;;) {
          try {
            const response = await fetch(`${apiUrl}/api/v1/tasks/${taskOf(user.tenantId)}/claims`, {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: '{}',
            });
            if (response.status === 200 || response.status === 202) {
              accepted.set(((await response.json()) as { completionId: string }).completionId, user.phone.replace(/\D/g, ''));
              break;
            }
          } catch {
            // API down: try again shortly.
          }
          await sleep(500);
        }
        await sleep(40);
      }
    }),
  );

  // Faults.
  const faults = { workerKills: 0, workerTerms: 0, apiKills: 0, temporalKills: 0, postgresRestarts: 0, killedWithRequestsInFlight: 0 };
  await sleep(3_000);
  for (let round = 1; round <= WORKER_KILLS; round++) {
    await until(() => provider.inFlight() > 0, 10_000, 20);
    if (provider.inFlight() > 0) faults.killedWithRequestsInFlight++;
    const signal: NodeJS.Signals = round === Math.ceil(WORKER_KILLS * 0.75) ? 'SIGTERM' : 'SIGKILL';
    say(`worker ${signal} (round ${round}, ${provider.inFlight()} provider requests in flight)`);
    if (signal === 'SIGTERM') faults.workerTerms++;
    else faults.workerKills++;
    const workerDown = worker.stop(signal);
    if (round === 2) {
      say('API SIGKILL');
      faults.apiKills++;
      await api.restart('SIGKILL', 1_000);
    }
    if (round === 3) {
      say('Temporal SIGKILL, restart on the same state');
      faults.temporalKills++;
      await temporal.restart('SIGKILL', 2_000);
    }
    if (round === 5) {
      say('PostgreSQL restart');
      faults.postgresRestarts++;
      await postgres.restart(2_000);
    }
    await workerDown;
    await sleep(1_000);
    await worker.start();
    await sleep(4_000 + Math.floor(Math.random() * 3_000));
  }
  await intake;
  say(`all ${accepted.size} claims accepted; waiting for them to settle`);

  const settled = await until(async () => (await unsettled(db, [...accepted.keys()])).length === 0, SETTLE_TIMEOUT_MS, 2_000);
  if (!settled) say('some claims did not settle in time');

  // Cloud API sends carry the completion id: a status webhook resolves an UNKNOWN after the fact.
  const rows = await db.socialTaskCompletion.findMany({ where: { id: { in: [...accepted.keys()] } }, include: { user: true } });
  const unknownCloud = rows.filter((row) => row.notificationStatus === 'UNKNOWN' && row.tenantId === users.cloudTenantId);
  const cloudById = new Map(fakeMeta.sentMessages.map((message) => [message.bizOpaqueCallbackData, message]));
  let webhooksPosted = 0;
  for (const row of unknownCloud) {
    const message = cloudById.get(row.id);
    if (!message) continue;
    const body = statusWebhook({ waba: waba.id, phoneNumberId: phone.id, wamid: message.id, waId: message.waId, completionId: row.id });
    const response = await fetch(`${apiUrl}/webhooks/meta`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaPayload(body, appSecret) },
      body,
    });
    if (response.status === 200) webhooksPosted++;
  }
  const resolveIds = unknownCloud.map((row) => row.id);
  await until(
    async () =>
      (await db.socialTaskCompletion.count({ where: { id: { in: resolveIds }, notificationStatus: 'UNKNOWN' } })) ===
      resolveIds.length - webhooksPosted,
    60_000,
    1_000,
  );
  const final = await db.socialTaskCompletion.findMany({
    where: { id: { in: [...accepted.keys()] } },
    select: { id: true, notificationStatus: true, tenantId: true },
  });

  // Figures.
  const count = (statuses: string[]) => final.filter((row) => statuses.includes(row.notificationStatus)).length;
  const lost = [...accepted.keys()].filter((id) => !final.some((row) => row.id === id && FINAL.has(row.notificationStatus)));
  const perRecipient = new Map<string, number>(provider.received);
  for (const message of fakeMeta.sentMessages) perRecipient.set(message.waId, (perRecipient.get(message.waId) ?? 0) + 1);
  const duplicated = [...perRecipient.values()].filter((n) => n > 1).length;
  const unknownRows = rows.filter((row) => row.notificationStatus === 'UNKNOWN');
  const unknownThatArrived = unknownRows.filter((row) => (perRecipient.get(row.user.phone.replace(/\D/g, '')) ?? 0) > 0).length;
  const resolved = resolveIds.length - final.filter((row) => resolveIds.includes(row.id) && row.notificationStatus === 'UNKNOWN').length;

  console.log('');
  console.log(`machine: ${cpus().length} cores`);
  console.log(
    `faults: worker SIGKILL ${faults.workerKills} (${faults.killedWithRequestsInFlight} with provider requests in flight), worker SIGTERM ${faults.workerTerms}, API SIGKILL ${faults.apiKills}, Temporal SIGKILL+restart ${faults.temporalKills}, PostgreSQL restart ${faults.postgresRestarts}`,
  );
  console.log(
    `claims ${accepted.size}, sent ${count(['SENT', 'DELIVERED', 'READ'])}, unknown ${count(['UNKNOWN'])}, lost ${lost.length}, duplicated ${duplicated}`,
  );
  console.log(`failed ${count(['FAILED'])}, skipped ${count(['SKIPPED'])}`);
  console.log(
    `unknown after the run ${unknownRows.length}: ${unknownThatArrived} of them did reach the recipient's provider, ${unknownRows.length - unknownThatArrived} did not`,
  );
  console.log(`unknown resolved by a status webhook: ${resolved} of ${resolveIds.length} Cloud API UNKNOWNs`);
  if (lost.length > 0) console.log(`lost: ${lost.slice(0, 10).join(', ')}${lost.length > 10 ? ' …' : ''}`);

  await db.$disconnect();
  await worker.stop('SIGTERM');
  await api.stop('SIGTERM');
  await temporal.stop('SIGTERM');
  await postgres.stop();
  await provider.close();
  await fakeMeta.close();
  for (const process of [api, worker, temporal]) process.close();
  return lost.length > 0 || duplicated > 0 ? 1 : 0;
}

async function unsettled(db: Database, ids: string[]): Promise<string[]> {
  try {
    const rows = await db.socialTaskCompletion.findMany({ where: { id: { in: ids } }, select: { id: true, notificationStatus: true } });
    const done = new Set(rows.filter((row) => FINAL.has(row.notificationStatus)).map((row) => row.id));
    return ids.filter((id) => !done.has(id));
  } catch {
    return ids; // the database is restarting
  }
}

interface ChaosUser {
  id: string;
  tenantId: string;
  phone: string;
}

async function seed(
  db: Database,
  options: { providerUrl: string; encryptionKey: Buffer; waba: string; phoneNumberId: string; token: string },
): Promise<{ users: ChaosUser[] & { cloudTenantId: string }; taskOf: (tenantId: string) => string }> {
  const secrets = createSecretBox([options.encryptionKey]);
  const suffix = randomUUID().slice(0, 6);
  const providerTenant = await db.tenant.create({
    data: {
      name: 'Chaos provider',
      slug: `chaos-provider-${suffix}`,
      waConfig: secrets.sealJson({ apiUrl: options.providerUrl, apiKey: 'chaos-key', sender: 'Chaos' }),
    },
  });
  const cloudTenant = await db.tenant.create({ data: { name: 'Chaos cloud', slug: `chaos-cloud-${suffix}` } });
  const account = await db.whatsappAccount.create({
    data: {
      tenantId: cloudTenant.id,
      wabaId: options.waba,
      phoneNumberId: options.phoneNumberId,
      displayPhoneNumber: '+1 555 0100',
      accessToken: secrets.seal(options.token),
      status: 'ACTIVE',
    },
  });
  const tasks = new Map<string, string>();
  for (const [tenant, accountId] of [
    [providerTenant, null],
    [cloudTenant, account.id],
  ] as const) {
    // start == end: the window is always open.
    const campaign = await db.campaign.create({
      data: { tenantId: tenant.id, name: 'Chaos', notificationStartHour: 0, notificationEndHour: 0, whatsappAccountId: accountId },
    });
    const task = await db.socialMediaTask.create({
      data: {
        tenantId: tenant.id,
        campaignId: campaign.id,
        title: 'Follow us',
        platform: 'INSTAGRAM',
        actionType: 'FOLLOW',
        spinsReward: 1,
        verificationStrategy: 'HONOR_SYSTEM',
      },
    });
    tasks.set(tenant.id, task.id);
  }
  const users = [] as unknown as ChaosUser[] & { cloudTenantId: string };
  users.cloudTenantId = cloudTenant.id;
  for (let i = 0; i < CLAIMS; i++) {
    const tenantId = i % 3 === 2 ? cloudTenant.id : providerTenant.id;
    const phone = `+5193${String(i).padStart(7, '0')}`;
    const user = await db.endUser.create({
      data: { tenantId, name: `Chaos ${i}`, phone, whatsappOptInAt: new Date(), whatsappOptInSource: 'chaos-run' },
    });
    users.push({ id: user.id, tenantId, phone });
  }
  return { users, taskOf: (tenantId) => tasks.get(tenantId)! };
}

/** A signed-shape `delivered` status as Meta sends it, naming our completion in biz_opaque_callback_data. */
function statusWebhook(input: { waba: string; phoneNumberId: string; wamid: string; waId: string; completionId: string }): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: input.waba,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550100', phone_number_id: input.phoneNumberId },
              statuses: [
                {
                  id: input.wamid,
                  status: 'delivered',
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  recipient_id: input.waId,
                  biz_opaque_callback_data: input.completionId,
                },
              ],
            },
          },
        ],
      },
    ],
  });
}

main()
  .then((code) => process.exit(code))
  .catch((error) => {
    console.error(error);
    process.exit(2);
  });
