// `npm run chaos`: fault injection against the real processes. PostgreSQL, Temporal, the API and
// the worker run as separate processes; a slow WhatsApp provider and a fake Meta (Cloud API) are the
// outside world. While a few hundred claims go through, the workers are SIGKILLed again and again
// (while provider requests are in flight; once SIGTERMed to drain), the API is SIGKILLed, Temporal
// is SIGKILLed and restarted on the same state, and PostgreSQL is restarted. Then it waits for every
// claim to settle and prints:
//   claims N, sent N, unknown N, lost N, duplicated N
// and exits 1 when any claim was lost or any recipient got a message twice.
// Topology (test/chaos/topology.ts): TEMPORAL_TOPOLOGY=dev (default: the Temporal CLI dev server) or
// cluster (the real server on its own PostgreSQL, which is then also restarted under load);
// WORKERS and APIS processes (default 1; several APIs behind a round-robin proxy). With two or more
// workers one of them is also SIGKILLed mid-send while the others keep sending, and the longest
// pause in sends that follows is printed.
// Sizes: CHAOS_CLAIMS (default 300), CHAOS_WORKER_KILLS (default 8).
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { createDatabase, type Database } from '../../src/db/client.js';
import { processCount, temporalTopology } from '../../src/dev/topology.js';
import { startFakeMeta } from '../fakes/fake-meta.js';
import { startSlowProvider, type SlowProvider } from './slow-provider.js';
import { ourProcesses, startInfrastructure } from './topology.js';

const CLAIMS = Number(process.env.CHAOS_CLAIMS ?? 300);
const WORKER_KILLS = Number(process.env.CHAOS_WORKER_KILLS ?? 8);
const TOPOLOGY = temporalTopology();
const WORKERS = processCount('WORKERS');
const APIS = processCount('APIS');
/** The send activity's heartbeat timeout (workflows/activity-stubs.ts): how late a dead worker's send is retried. */
const SEND_HEARTBEAT_TIMEOUT_S = 10;
/** How long sends are watched after one of several workers died. */
const PAUSE_WINDOW_MS = 20_000;
const SETTLE_TIMEOUT_MS = 8 * 60_000;
const FINAL = new Set(['SENT', 'DELIVERED', 'READ', 'FAILED', 'SKIPPED', 'UNKNOWN']);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const say = (line: string) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}`);

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
  const infra = await startInfrastructure({ topology: TOPOLOGY, workDir, database: 'chaos' });
  const { postgres, temporal, temporalPostgres, databaseUrl } = infra;
  if (!postgres || !temporal) throw new Error('the chaos run starts its own PostgreSQL and Temporal');

  const jwtSecret = randomBytes(32).toString('hex');
  const encryptionKey = randomBytes(32);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: infra.temporalAddress,
    TEMPORAL_TASK_QUEUE: 'chaos',
    JWT_SECRET: jwtSecret,
    TOKEN_ENCRYPTION_KEY: encryptionKey.toString('base64'),
    CLAIM_VERIFY_DELAY: '1s',
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
  const ours = await ourProcesses({ apis: APIS, workers: WORKERS, env, logDir: workDir });
  const { apis, workers, apiUrl } = ours;

  // Two tenants: one sends through its own (slow) provider, one through its Cloud API number.
  const db = createDatabase(databaseUrl, { maxConnections: 4 });
  const { users, taskOf } = await seed(db, {
    providerUrl: provider.url,
    encryptionKey,
    waba: waba.id,
    phoneNumberId: phone.id,
    token: businessToken.token,
  });

  await ours.start();
  // Meta posts each Cloud API message's statuses, naming our claim, retrying while the API is down.
  fakeMeta.sendStatusWebhooks({
    url: `${apiUrl}/webhooks/meta`,
    statuses: [
      { status: 'sent', afterMs: 1_000 },
      { status: 'delivered', afterMs: 2_000 },
    ],
  });
  say(
    `stack up (${TOPOLOGY} topology): ${APIS} API (${apiUrl}), ${WORKERS} worker, Temporal ${infra.temporalAddress}; ${CLAIMS} claims, ${WORKER_KILLS} kill rounds`,
  );

  // Claims, each retried until the API accepts it (the API itself dies during the run).
  const accepted = new Map<string, string>(); // claimId → user phone digits
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

  // Faults. Each round waits for provider requests in flight, then kills every worker (one round
  // SIGTERMs them to drain) together with that round's other fault.
  const faults = {
    workerKills: 0,
    workerTerms: 0,
    apiKills: 0,
    temporalKills: 0,
    postgresRestarts: 0,
    temporalPostgresRestarts: 0,
    killedWithRequestsInFlight: 0,
  };
  let oneWorkerKilledAt: number | undefined;
  await sleep(3_000);
  for (let round = 1; round <= WORKER_KILLS; round++) {
    if (round === 1) {
      // Sends flowing first (workers take a while to start on a busy machine).
      await until(() => provider.arrivals.length >= 10 && provider.inFlight() > 0, 180_000, 20);
    }
    // Up to a minute: on a loaded machine a restarted worker takes 15 s or more to poll again, and a
    // kill before it has sent anything tests nothing.
    await until(() => provider.inFlight() > 0, 60_000, 20);
    if (round === 1 && workers.length > 1) {
      // One worker dies mid-send; the others must keep the sends going (its own sends wait for
      // the heartbeat timeout, nobody else's should).
      faults.workerKills++;
      if (provider.inFlight() > 0) faults.killedWithRequestsInFlight++;
      say(`worker-1 of ${workers.length} SIGKILL while the others keep sending (${provider.inFlight()} provider requests in flight)`);
      oneWorkerKilledAt = Date.now();
      await workers[0]!.stop('SIGKILL');
      await sleep(PAUSE_WINDOW_MS);
      await workers[0]!.start();
      await sleep(2_000);
      continue;
    }
    if (round === 7 && temporalPostgres) {
      // Temporal's database restarted under load: the workers keep running.
      say(`Temporal's PostgreSQL restart under load (${provider.inFlight()} provider requests in flight)`);
      faults.temporalPostgresRestarts++;
      await temporalPostgres.restart(2_000);
      await sleep(4_000);
      continue;
    }
    if (provider.inFlight() > 0) faults.killedWithRequestsInFlight++;
    const signal: NodeJS.Signals = round === Math.ceil(WORKER_KILLS * 0.75) ? 'SIGTERM' : 'SIGKILL';
    say(
      `${workers.length > 1 ? `all ${workers.length} workers` : 'worker'} ${signal} (round ${round}, ${provider.inFlight()} provider requests in flight)`,
    );
    if (signal === 'SIGTERM') faults.workerTerms += workers.length;
    else faults.workerKills += workers.length;
    const workersDown = Promise.all(workers.map((worker) => worker.stop(signal)));
    if (round === 2) {
      say(apis.length > 1 ? `api-1 of ${apis.length} SIGKILL` : 'API SIGKILL');
      faults.apiKills++;
      await apis[0]!.restart('SIGKILL', 1_000);
    }
    if (round === 4 && apis.length > 1) {
      say(`all ${apis.length} APIs SIGKILL`);
      faults.apiKills += apis.length;
      await Promise.all(apis.map((api) => api.stop('SIGKILL')));
      await sleep(1_000);
      for (const api of apis) await api.start();
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
    await workersDown;
    await sleep(1_000);
    for (const worker of workers) await worker.start();
    // Back at work before the next round (a worker bundles its workflows first: seconds on a busy machine).
    const sentBefore = provider.arrivals.length;
    await until(() => provider.arrivals.length > sentBefore, 120_000, 100);
    await sleep(2_000 + Math.floor(Math.random() * 3_000));
  }
  await intake;
  say(`all ${accepted.size} claims accepted; waiting for them to settle`);

  const settled = await until(async () => (await unsettled(db, [...accepted.keys()])).length === 0, SETTLE_TIMEOUT_MS, 2_000);
  if (!settled) say('some claims did not settle in time');

  // Statuses still on their way (retried while the API was down) resolve what they name. A status
  // the API stored while Temporal was down waits for the webhook sweeper (60 s grace, a pass a
  // minute): up to two and a half minutes.
  const cloudIds = new Set(fakeMeta.sentMessages.flatMap((message) => (message.bizOpaqueCallbackData ? [message.bizOpaqueCallbackData] : [])));
  await until(async () => (await db.claim.count({ where: { id: { in: [...cloudIds] }, notificationStatus: 'UNKNOWN' } })) === 0, 150_000, 1_000);
  const final = await db.claim.findMany({ where: { id: { in: [...accepted.keys()] } }, include: { user: true } });

  // Figures.
  const count = (statuses: string[]) => final.filter((row) => statuses.includes(row.notificationStatus)).length;
  const lost = [...accepted.keys()].filter((id) => !final.some((row) => row.id === id && FINAL.has(row.notificationStatus)));
  const perRecipient = new Map<string, number>(provider.received);
  for (const message of fakeMeta.sentMessages) perRecipient.set(message.waId, (perRecipient.get(message.waId) ?? 0) + 1);
  const duplicated = [...perRecipient.values()].filter((n) => n > 1).length;
  const unknownRows = final.filter((row) => row.notificationStatus === 'UNKNOWN');
  const reachedProvider = (row: (typeof final)[number]) => (perRecipient.get(row.user.phone.replace(/\D/g, '')) ?? 0) > 0;
  const unknownViaProvider = unknownRows.filter((row) => row.tenantId !== users.cloudTenantId);
  const unknownViaCloud = unknownRows.filter((row) => row.tenantId === users.cloudTenantId);
  const resolvedByWebhooks = final.filter((row) => row.notificationAdoptedAt !== null).length;

  console.log('');
  console.log(
    `machine: ${cpus().length} cores; topology ${TOPOLOGY}: ${WORKERS} worker, ${APIS} API, Temporal ${TOPOLOGY === 'cluster' ? 'server on PostgreSQL' : 'CLI dev server'}`,
  );
  console.log(
    `faults: worker SIGKILL ${faults.workerKills} (${faults.killedWithRequestsInFlight} rounds with provider requests in flight), worker SIGTERM ${faults.workerTerms}, API SIGKILL ${faults.apiKills}, Temporal SIGKILL+restart ${faults.temporalKills}, PostgreSQL restart ${faults.postgresRestarts}, Temporal's PostgreSQL restart under load ${faults.temporalPostgresRestarts}`,
  );
  if (oneWorkerKilledAt !== undefined) {
    // Until the last send of the whole run at the latest: a pause because nothing was left to send is no pause.
    const until = Math.min(oneWorkerKilledAt + PAUSE_WINDOW_MS, Math.max(...provider.arrivals));
    const pause = longestPause(provider, oneWorkerKilledAt, until);
    const sends = provider.arrivals.filter((at) => at > oneWorkerKilledAt! && at <= until).length;
    console.log(
      `one of ${WORKERS} workers SIGKILLed mid-send: longest pause in sends over the next ${((until - oneWorkerKilledAt) / 1000).toFixed(0)} s ${(pause / 1000).toFixed(1)} s (${sends} sends meanwhile; send heartbeat timeout ${SEND_HEARTBEAT_TIMEOUT_S} s)`,
    );
  }
  console.log(
    `claims ${accepted.size}, sent ${count(['SENT', 'DELIVERED', 'READ'])}, unknown ${unknownRows.length} (resolved by status webhooks ${resolvedByWebhooks}), lost ${lost.length}, duplicated ${duplicated}`,
  );
  console.log(`failed ${count(['FAILED'])}, skipped ${count(['SKIPPED'])}`);
  console.log(
    `unknown by cause: tenant provider (reports no delivery statuses) ${unknownViaProvider.length}, ${unknownViaProvider.filter(reachedProvider).length} of them reached the provider; Cloud API ${unknownViaCloud.length}, ${unknownViaCloud.filter((row) => cloudIds.has(row.id)).length} of them accepted by Meta`,
  );
  if (lost.length > 0) console.log(`lost: ${lost.slice(0, 10).join(', ')}${lost.length > 10 ? ' …' : ''}`);

  await db.$disconnect();
  await ours.stop();
  await infra.stop();
  await provider.close();
  await fakeMeta.close();
  return lost.length > 0 || duplicated > 0 ? 1 : 0;
}

/** The longest stretch in [from, to] with no request reaching the provider, ms. */
function longestPause(provider: SlowProvider, from: number, to: number): number {
  const times = [from, ...provider.arrivals.filter((at) => at > from && at < to), Math.max(from, to)];
  let longest = 0;
  for (let i = 1; i < times.length; i++) longest = Math.max(longest, times[i]! - times[i - 1]!);
  return longest;
}

async function unsettled(db: Database, ids: string[]): Promise<string[]> {
  try {
    const rows = await db.claim.findMany({ where: { id: { in: ids } }, select: { id: true, notificationStatus: true } });
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

main()
  .then((code) => process.exit(code))
  .catch((error) => {
    console.error(error);
    process.exit(2);
  });
