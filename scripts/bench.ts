// `npm run bench`: performance at campaign scale (issue 12), on its own stack like `npm run dev`
// (embedded PostgreSQL, the Temporal CLI dev server with fairness on, the API and the worker as
// separate processes, own ports and data dir), or on TEMPORAL_ADDRESS / DATABASE_URL when set. A
// provider stand-in enforces WhatsApp's limits (80 msg/s per number → 130429, one message per 6 s
// per recipient → 131056) and counts duplicates. Prints one line per figure, each a ratio measured
// in this run, with absolute numbers and the core count, and every figure beside Temporal's own
// floor on the same server (scripts/bench/floor.ts, run before and after ours). BENCH_CLAIMS
// (default 2,000), BENCH_FLOOR_WORKFLOWS (2,000), BENCH_FLOOR_RUNS (2; 1: before ours only; 0: none);
// BENCH_VOLUME=1 or BENCH_HISTORY_CLAIMS=<n> adds the year-of-history phase (scripts/bench/volume-soak.ts).
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
// Default import: @temporalio/proto is CommonJS (see test/support/temporal.ts).
import protoModule from '@temporalio/proto';
import jwt from 'jsonwebtoken';
import { createSecretBox } from '../src/crypto/secret-box.js';
import { createDatabase } from '../src/db/client.js';
import { applyMigrations } from '../src/db/migrate.js';
import { waitForPort } from '../src/dev/dev-temporal-server.js';
import { PROJECT_ROOT } from '../src/temporal/binaries.js';
import { MAX_CACHED_WORKFLOWS } from '../src/worker/options.js';
import { CLAIM_WORKFLOW_TYPE } from '../workflows/definitions.js';
import { ourProcess, RestartablePostgres, temporalServer } from '../test/chaos/processes.js';
import { type OurFigures, printComparison, printFloorRun } from './bench/compare.js';
import { type BenchStack, type FloorFigures, measureFloor, memoryFigures } from './bench/floor.js';
import { cpuLine, cpuMsPer, cpuSnapshot, postmasterPid, rssMb, threadCpuSeconds } from './bench/proc.js';
import { atConcurrency, figure, freePort, prometheusSum, say, sleep, until } from './bench/util.js';
import { benchTenantStats } from './bench/tenant-stats.js';

const CLAIMS = Number(process.env.BENCH_CLAIMS ?? 2_000);
const CONCURRENCY = 32;
const RATE = Number(process.env.WHATSAPP_SEND_RATE ?? 80);
/** The bare-workflow floor (scripts/bench/floor.ts): workflows per run, and runs (one before ours, one after). */
const FLOOR_WORKFLOWS = Number(process.env.BENCH_FLOOR_WORKFLOWS ?? 2_000);
const FLOOR_RUNS = Number(process.env.BENCH_FLOOR_RUNS ?? 2);
/**
 * WhatsApp's limits, per sending number (the URL path names it): 80 msg/s (130429 beyond) and one
 * message per 6 s to one recipient (131056). Records every accepted message's time and recipient.
 */
function startProviderStandIn() {
  const perNumber = new Map<string, number[]>();
  const lastToRecipient = new Map<string, number>();
  const accepted: { number: string; to: string; at: number }[] = [];
  const rejected = { rate: 0, pair: 0 };
  let seq = 0;
  const server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const number = req.url?.split('/')[2] ?? 'unknown';
      const to = String((JSON.parse(body || '{}') as { number?: string }).number ?? '');
      const now = Date.now();
      const recent = (perNumber.get(number) ?? []).filter((at) => at > now - 1000);
      perNumber.set(number, recent);
      const answer = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (recent.length >= RATE) {
        rejected.rate++;
        return answer(429, { error: { code: 130429, message: 'Rate limit hit' } });
      }
      if ((lastToRecipient.get(`${number}|${to}`) ?? 0) > now - 6_000) {
        rejected.pair++;
        return answer(429, { error: { code: 131056, message: '(Business Account, Consumer Account) pair rate limit hit' } });
      }
      recent.push(now);
      lastToRecipient.set(`${number}|${to}`, now);
      accepted.push({ number, to, at: now });
      answer(200, { status: 'success', data: { messageId: `m-${++seq}` } });
    });
  });
  return new Promise<{ url: string; accepted: typeof accepted; rejected: typeof rejected; close: () => void }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${port}`, accepted, rejected, close: () => server.close() });
    });
  });
}

/**
 * V8 heap in use by the worker's main thread (activities, from its Prometheus endpoint), MB. Cached
 * workflows live in the SDK's workflow thread, whose memory only RSS shows.
 */
async function heapUsedMb(metricsPort: number): Promise<number> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('nodejs_heap_size_used_bytes'));
    return Number(line?.split(' ').at(-1)) / 1024 / 1024;
  } catch {
    return NaN;
  }
}

async function main(): Promise<void> {
  const workDir = mkdtempSync(join(tmpdir(), 'social-tasks-bench-'));
  chmodSync(workDir, 0o755);
  say(`work dir ${workDir}; ${CLAIMS} claims; ${cpus().length} cores`);
  const provider = await startProviderStandIn();

  let databaseUrl = process.env.DATABASE_URL;
  let postgres: RestartablePostgres | undefined;
  if (!databaseUrl) {
    postgres = new RestartablePostgres(join(workDir, 'postgres'), await freePort());
    const pg = await postgres.start();
    await pg.createDatabase('bench');
    databaseUrl = pg.url('bench');
  }
  await applyMigrations(databaseUrl, join(PROJECT_ROOT, 'prisma', 'migrations'));
  let temporalAddress = process.env.TEMPORAL_ADDRESS;
  let temporal: ReturnType<typeof temporalServer> | undefined;
  if (!temporalAddress) {
    const port = await freePort();
    temporal = temporalServer(workDir, port, workDir);
    await temporal.start();
    temporalAddress = `127.0.0.1:${port}`;
  }
  const apiPort = await freePort();
  const workerMetricsPort = await freePort();
  const jwtSecret = randomBytes(32).toString('hex');
  const encryptionKey = randomBytes(32);
  const taskQueue = `bench-${randomBytes(3).toString('hex')}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    JWT_SECRET: jwtSecret,
    TOKEN_ENCRYPTION_KEY: encryptionKey.toString('base64'),
    CLAIM_VERIFY_DELAY: '1s',
    PORT: String(apiPort),
    OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true',
    // The run measures throughput, not the claim-rate limits: budgets far above what it sends.
    CLAIM_RATE_PER_USER: '1000000',
    CLAIM_RATE_PER_TENANT: '1000000',
    LOG_LEVEL: 'warn',
    WHATSAPP_API_URL: `${provider.url}/n/platform/send`,
    WHATSAPP_API_KEY: 'bench-key',
    WHATSAPP_SEND_RATE: String(RATE),
    WORKER_METRICS_PORT: String(workerMetricsPort),
    // The API refuses to start with an open /metrics; the bench reads the worker's heap without a token.
    METRICS_PUBLIC: 'true',
    // The big tenant sends every claim through the platform's provider: no daily quota in the way.
    PLATFORM_WHATSAPP_DAILY_QUOTA: '100000000',
  };
  const api = ourProcess('api', env, workDir, () => waitForPort('127.0.0.1', apiPort, 60_000));
  // BENCH_WORKER_PROFILE=<dir>: V8 CPU profiles of the worker's threads during the drain (scripts/bench/profile-hook.mjs).
  const profileDir = process.env.BENCH_WORKER_PROFILE ? resolve(process.env.BENCH_WORKER_PROFILE) : undefined;
  const workerEnv = profileDir
    ? { ...env, BENCH_PROFILE_DIR: profileDir, NODE_OPTIONS: `--import ${join(PROJECT_ROOT, 'scripts', 'bench', 'profile-hook.mjs')}` }
    : env;
  const worker = ourProcess('worker', workerEnv, workDir, async () => {});
  await api.start();
  await worker.start();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const client = new Client({ connection: await Connection.connect({ address: temporalAddress }) });
  const db = createDatabase(databaseUrl, { maxConnections: 4 });
  const secrets = createSecretBox([encryptionKey]);

  // Big tenant: the platform provider; small tenant: its own provider (another channel). Windows closed now.
  const hour = new Date().getUTCHours();
  const closed = { timezone: 'UTC', notificationStartHour: (hour + 3) % 24, notificationEndHour: (hour + 4) % 24 };
  const suffix = randomBytes(3).toString('hex');
  const big = await db.tenant.create({ data: { name: 'Big', slug: `big-${suffix}`, platformWhatsappAllowed: true } });
  const small = await db.tenant.create({
    data: {
      name: 'Small',
      slug: `small-${suffix}`,
      waConfig: secrets.sealJson({ apiUrl: `${provider.url}/n/small/send`, apiKey: 'small-key', sender: 'Small' }),
    },
  });
  const setUp = async (tenantId: string) => {
    const campaign = await db.campaign.create({ data: { tenantId, name: 'Bench', ...closed } });
    const task = await db.socialMediaTask.create({
      data: {
        tenantId,
        campaignId: campaign.id,
        title: 'Follow',
        platform: 'INSTAGRAM',
        actionType: 'FOLLOW',
        spinsReward: 1,
        verificationStrategy: 'HONOR_SYSTEM',
      },
    });
    return { campaignId: campaign.id, taskId: task.id };
  };
  const bigSetup = await setUp(big.id);
  const smallSetup = await setUp(small.id);
  await db.endUser.createMany({
    data: Array.from({ length: CLAIMS }, (_, i) => ({
      tenantId: big.id,
      name: `U${i}`,
      phone: `+5190${String(i).padStart(7, '0')}`,
      whatsappOptInAt: new Date(),
      whatsappOptInSource: 'bench',
    })),
  });
  const users = await db.endUser.findMany({ where: { tenantId: big.id }, select: { id: true } });
  const smallUser = await db.endUser.create({
    data: { tenantId: small.id, name: 'Solo', phone: '+51999999999', whatsappOptInAt: new Date(), whatsappOptInSource: 'bench' },
  });
  const ourBytes = async () => {
    const rows = await db.$queryRaw<
      { bytes: bigint }[]
    >`SELECT sum(pg_total_relation_size(quote_ident(tablename)))::bigint AS bytes FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('SocialTaskCompletion', 'SpinCredit')`;
    return Number(rows[0]?.bytes ?? 0);
  };
  const bytesBefore = await ourBytes();
  const pgPid = postgres ? postmasterPid(join(workDir, 'postgres')) : undefined;
  const processes = () => ({ temporal: temporal?.pid, worker: worker.pid, api: api.pid, postgres: pgPid });
  // The worker's metrics endpoint comes up with the worker; its heap before any claim is the baseline.
  let idleHeap = NaN;
  await until(
    async () => {
      idleHeap = await heapUsedMb(workerMetricsPort);
      return !Number.isNaN(idleHeap);
    },
    60_000,
    500,
  );
  // Its RSS once the workflow worker polls (its bundle built), before any claim: the baseline.
  await until(async () => !Number.isNaN(await prometheusSum(`http://127.0.0.1:${workerMetricsPort}/metrics`, 'temporal_num_pollers')), 60_000, 500);
  await sleep(1_000);
  const idleRss = rssMb(worker.pid);

  // The floor before ours: the bare workflow on this server while our processes idle.
  const stack: BenchStack = {
    client,
    temporalAddress,
    namespace: 'default',
    provider,
    logDir: workDir,
    serverPids: () => ({ temporal: temporal?.pid, postgres: pgPid }),
  };
  const floorRuns: FloorFigures[] = [];
  const runFloor = async (label: string) => {
    say(`floor ${label}: ${FLOOR_WORKFLOWS} bare workflows`);
    const run = await measureFloor(stack, FLOOR_WORKFLOWS, `${suffix}-${label}`);
    printFloorRun(label, run);
    floorRuns.push(run);
  };
  if (FLOOR_RUNS > 0 && FLOOR_WORKFLOWS > 0) await runFloor('before');

  const admin = (tenantId: string) =>
    jwt.sign({ role: 'tenant_admin', tenantId }, jwtSecret, { algorithm: 'HS256', subject: 'bench-admin', expiresIn: 3600 });
  const endUser = (tenantId: string, id: string) =>
    jwt.sign({ role: 'end_user', tenantId }, jwtSecret, { algorithm: 'HS256', subject: id, expiresIn: 3600 });
  const claim = async (tenantId: string, taskId: string, userId: string) => {
    const response = await fetch(`${apiUrl}/api/v1/tasks/${taskId}/claims`, {
      method: 'POST',
      headers: { authorization: `Bearer ${endUser(tenantId, userId)}`, 'content-type': 'application/json' },
      body: '{}',
    });
    if (response.status !== 202 && response.status !== 200) throw new Error(`claim: ${response.status} ${await response.text()}`);
  };

  // 1. Raw workflow.start on the same server and concurrency (a queue nobody polls), then intake:
  // both warmed up first, then alternated in rounds so neither runs on a colder or busier server.
  const rawStart = (i: number) =>
    client.workflow.start(CLAIM_WORKFLOW_TYPE, { workflowId: `raw-${suffix}-${i}`, taskQueue: `${taskQueue}-raw`, args: [{}] }).then(() => undefined);
  const warm = Math.min(64, Math.floor(CLAIMS / 10));
  await atConcurrency(warm, CONCURRENCY, (i) => rawStart(CLAIMS + i));
  await atConcurrency(warm, CONCURRENCY, (i) => claim(big.id, bigSetup.taskId, users[i]!.id));
  const intakeCpu = cpuSnapshot(processes());
  const intakeStarted = Date.now();
  const rounds = 4;
  const perRound = Math.floor((CLAIMS - warm) / rounds);
  let rawSeconds = 0;
  let intakeSeconds = 0;
  // CPU seconds per process spent in the raw-start rounds and in the claim rounds, apart.
  const rawCpu: Record<string, number> = {};
  const claimCpu: Record<string, number> = {};
  const addCpu = (into: Record<string, number>, before: Record<string, number>, after: Record<string, number>) => {
    for (const name of Object.keys(after)) into[name] = (into[name] ?? 0) + after[name]! - (before[name] ?? 0);
  };
  for (let round = 0; round < rounds; round++) {
    const from = warm + round * perRound;
    const count = round === rounds - 1 ? CLAIMS - from : perRound;
    // 'client' is this process: the raw start's caller, the claims' HTTP client.
    const withClient = () => ({ ...cpuSnapshot(processes()), client: (process.cpuUsage().user + process.cpuUsage().system) / 1e6 });
    let before = withClient();
    rawSeconds += count / (await atConcurrency(count, CONCURRENCY, (i) => rawStart(from + i)));
    let after = withClient();
    addCpu(rawCpu, before, after);
    before = after;
    intakeSeconds += count / (await atConcurrency(count, CONCURRENCY, (i) => claim(big.id, bigSetup.taskId, users[from + i]!.id)));
    after = withClient();
    addCpu(claimCpu, before, after);
  }
  figure(
    `CPU during intake (raw starts and claims alternated): ${cpuLine(intakeCpu, cpuSnapshot(processes()), (Date.now() - intakeStarted) / 1000, CLAIMS - warm)}`,
  );
  const rawRate = (CLAIMS - warm) / rawSeconds;
  const intakeRate = (CLAIMS - warm) / intakeSeconds;
  figure(
    `intake ${(intakeRate / rawRate).toFixed(2)} of raw start rate (POST /claims ${intakeRate.toFixed(1)}/s, workflow.start ${rawRate.toFixed(1)}/s, ${CLAIMS - warm} each after ${warm} warm-up, alternated in ${rounds} rounds at concurrency ${CONCURRENCY}, ${cpus().length} cores)`,
  );
  const perStart = (cpu: Record<string, number>) =>
    Object.entries(cpu)
      .map(([name, seconds]) => `${name} ${((seconds * 1000) / (CLAIMS - warm)).toFixed(1)} ms`)
      .join(', ');
  figure(
    `intake CPU per claim (claim rounds): ${perStart(claimCpu)}; per raw start (raw rounds): ${perStart(rawCpu)} ` +
      `(client: this process, the raw start's caller and the claims' HTTP client; the worker keeps verifying earlier claims through both, so its and PostgreSQL's share of the raw rounds is that background)`,
  );
  await client.workflowService
    .startBatchOperation({
      namespace: 'default',
      jobId: `raw-${suffix}`,
      reason: 'bench cleanup',
      visibilityQuery: `TaskQueue = '${taskQueue}-raw'`,
      terminationOperation: { identity: 'bench' },
    })
    .catch(() => undefined);

  // 2. All verified and waiting for the window.
  await claim(small.id, smallSetup.taskId, smallUser.id);
  const waitingSince = Date.now();
  const verifyCpu = cpuSnapshot(processes());
  const allWaiting = () => db.socialTaskCompletion.count({ where: { notificationStatus: 'WAITING_FOR_WINDOW' } });
  await until(async () => (await allWaiting()) === CLAIMS + 1, 15 * 60_000, 1_000);
  figure(
    `CPU until all waiting (verify, record, plan): ${cpuLine(verifyCpu, cpuSnapshot(processes()), (Date.now() - waitingSince) / 1000, CLAIMS + 1)}`,
  );
  const waitingRss = rssMb(worker.pid);
  const cachedClaims = await prometheusSum(`http://127.0.0.1:${workerMetricsPort}/metrics`, 'temporal_sticky_cache_size');
  const waitingHeap = await heapUsedMb(workerMetricsPort);
  const bytesPerClaim = ((await ourBytes()) - bytesBefore) / (CLAIMS + 1);
  say(`${await allWaiting()} claims waiting after ${((Date.now() - waitingSince) / 1000).toFixed(0)} s; worker RSS ${waitingRss.toFixed(0)} MB`);
  figure(
    `storage ${(bytesPerClaim / 1024).toFixed(2)} KB of our PostgreSQL per waiting claim (completion + credit rows and their indexes; ${(bytesPerClaim / 10240).toFixed(2)} of the 10 KB target)`,
  );

  // 3. The windows open: PATCH both campaigns at once; drain; the small tenant's latency.
  const open = { notificationStartHour: 0, notificationEndHour: 0 };
  const patch = async (tenantId: string, campaignId: string) => {
    const started = Date.now();
    const response = await fetch(`${apiUrl}/api/v1/campaigns/${campaignId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${admin(tenantId)}`, 'content-type': 'application/json' },
      body: JSON.stringify(open),
    });
    if (response.status !== 200) throw new Error(`PATCH: ${response.status}`);
    return Date.now() - started;
  };
  const drainCpu = cpuSnapshot(processes());
  const drainThreads = threadCpuSeconds(worker.pid);
  if (profileDir && worker.pid) process.kill(worker.pid, 'SIGWINCH');
  const opened = Date.now();
  const [bigPatchMs] = await Promise.all([patch(big.id, bigSetup.campaignId), patch(small.id, smallSetup.campaignId)]);
  const oursAccepted = () => provider.accepted.filter((m) => m.number === 'platform' || m.number === 'small');
  await until(async () => oursAccepted().length >= CLAIMS + 1, 15 * 60_000, 100);
  const drainCpuAfter = cpuSnapshot(processes());
  if (profileDir && worker.pid) process.kill(worker.pid, 'SIGWINCH');
  figure(`CPU during the drain: ${cpuLine(drainCpu, drainCpuAfter, (Date.now() - opened) / 1000, CLAIMS + 1)}`);
  const threadsAfter = threadCpuSeconds(worker.pid);
  figure(
    `worker CPU during the drain by thread: ${Object.entries(cpuMsPer(drainThreads, threadsAfter, CLAIMS + 1))
      .filter(([, ms]) => ms >= 0.05)
      .sort(([, a], [, b]) => b - a)
      .map(([kind, ms]) => `${kind} ${ms.toFixed(1)} ms/claim`)
      .join(', ')}${profileDir ? `; CPU profiles in ${profileDir}` : ''}`,
  );
  const bigSends = provider.accepted.filter((m) => m.number === 'platform');
  const smallSend = provider.accepted.find((m) => m.number === 'small');
  const drainS = (Math.max(...bigSends.map((m) => m.at)) - opened) / 1000;
  const idealS = CLAIMS / RATE;
  figure(`PATCH answered in ${bigPatchMs} ms with ${CLAIMS} waiting claims (${(bigPatchMs / 1000).toFixed(3)} of a 1 s budget)`);
  figure(
    `drain ${(drainS / idealS).toFixed(2)} of ideal (last of ${bigSends.length} sends ${drainS.toFixed(1)} s after the window opened; ideal ${CLAIMS} / ${RATE} msg/s = ${idealS.toFixed(1)} s)`,
  );
  figure(
    `small tenant's claim sent ${smallSend ? ((smallSend.at - opened) / 1000).toFixed(2) : 'never'} s after its window opened while the big tenant drained (${smallSend ? ((smallSend.at - opened) / 2000).toFixed(2) : '∞'} of the 2 s target)`,
  );
  const perRecipient = new Map<string, number>();
  for (const m of oursAccepted()) perRecipient.set(`${m.number}|${m.to}`, (perRecipient.get(`${m.number}|${m.to}`) ?? 0) + 1);
  figure(
    `duplicates ${[...perRecipient.values()].filter((n) => n > 1).length}, rejected for rate ${provider.rejected.rate} (130429), for pair rate ${provider.rejected.pair} (131056)`,
  );

  // 4. History events of one completed HONOR_SYSTEM claim; 5. worker memory.
  const one = await db.socialTaskCompletion.findFirstOrThrow({ where: { tenantId: small.id } });
  await until(async () => (await client.workflow.getHandle(one.workflowId).describe()).status.name === 'COMPLETED', 30_000);
  const history = await client.workflow.getHandle(one.workflowId).fetchHistory();
  const events = history.events?.length ?? 0;
  figure(
    `history ${events} events per HONOR_SYSTEM claim (verified, waited, re-planned by the PATCH, sent; ${(events / 20).toFixed(2)} of the 20-event target)`,
  );
  // Which events, so a figure above 20 says what it is made of (e.g. a send retried for the 6 s recipient spacing).
  say(
    `its events: ${(history.events ?? []).map((event) => String(protoModule.temporal.api.enums.v1.EventType[event.eventType ?? 0]).replace(/^EVENT_TYPE_/, '')).join(' ')}`,
  );
  figure(
    `worker RSS ${idleRss.toFixed(0)} MB before the claims, ${waitingRss.toFixed(0)} MB with ${CLAIMS} claims waiting (${cachedClaims} cached; target for 2,000 waiting: < 1,024 MB), ${rssMb(worker.pid).toFixed(0)} MB after the drain (workflow cache ${MAX_CACHED_WORKFLOWS}; cached workflows live in the SDK's workflow thread); main-thread heap ${idleHeap.toFixed(0)} MB before the claims, ${waitingHeap.toFixed(0)} MB waiting, ${(await heapUsedMb(workerMetricsPort)).toFixed(0)} MB after`,
  );

  // 6. The floor again, after ours, then every figure of ours beside the floor's.
  if (FLOOR_RUNS > 1 && FLOOR_WORKFLOWS > 0) await runFloor('after');
  const ours: OurFigures = {
    label: '',
    drain: { claims: bigSends.length, perSecond: bigSends.length / drainS, cpuMsPerClaim: cpuMsPer(drainCpu, drainCpuAfter, CLAIMS + 1) },
    historyEvents: events,
    rss: memoryFigures(idleRss, waitingRss, cachedClaims, CLAIMS + 1),
  };
  printComparison(ours, floorRuns);
  // Tenant statistics and export at campaign scale (scripts/bench/tenant-stats.ts); BENCH_TENANT_STATS=0 skips it.
  if (process.env.BENCH_TENANT_STATS !== '0') await benchTenantStats({ db, databaseUrl, apiUrl, apiPid: api.pid, jwtSecret, say, figure });

  await db.$disconnect();
  await worker.stop('SIGTERM');
  await api.stop('SIGTERM');
  await temporal?.stop('SIGTERM');
  await postgres?.stop();
  provider.close();
  for (const process of [api, worker, temporal]) process?.close();

  // 7. Verification at scale (its own stack, modest sizes): Graph reads per claim. BENCH_VERIFICATION=0 skips it.
  if (process.env.BENCH_VERIFICATION !== '0') {
    await runPhase(join('scripts', 'bench-verification.ts'), {
      BENCH_COMMENTS: process.env.BENCH_VERIFY_COMMENTS ?? '2000',
      BENCH_CLAIMS: process.env.BENCH_VERIFY_CLAIMS ?? '200',
    });
  }
  // 8. A year of history (its own stack): intake, drain and verification with and without
  // BENCH_HISTORY_CLAIMS (default 1,000,000) historical claims. On with BENCH_VOLUME=1 or BENCH_HISTORY_CLAIMS.
  if (process.env.BENCH_VOLUME === '1' || process.env.BENCH_HISTORY_CLAIMS) await runPhase(join('scripts', 'bench', 'volume-soak.ts'), {});
  // 9. WhatsApp's messaging limit (its own stack): BENCH_MESSAGING_LIMIT=0 skips it.
  if (process.env.BENCH_MESSAGING_LIMIT !== '0') await runPhase(join('scripts', 'bench', 'messaging-limit.ts'), {});
  // 10. Meta outage (its own stack; BENCH_META_OUTAGE=1): claims waiting through Meta answering 500.
  if (process.env.BENCH_META_OUTAGE === '1') await runPhase(join('scripts', 'bench', 'meta-outage.ts'), {});
}

/** A bench phase on its own stack, in a child process (its PostgreSQL and servers are its own). */
function runPhase(script: string, env: Record<string, string>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: PROJECT_ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${script} exited with ${code}`))));
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
