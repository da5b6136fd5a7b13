// `npm run bench`: performance at campaign scale, on its own stack like `npm run dev`
// (embedded PostgreSQL, Temporal, the API and the worker as separate processes, own ports and data
// dir), or on TEMPORAL_ADDRESS / DATABASE_URL when set. Per topology (BENCH_TOPOLOGIES=dev,cluster,
// else TEMPORAL_TOPOLOGY, else dev; WORKERS, APIS), on that topology's own stack
// (scripts/bench/topology-stack.ts): Temporal's own floor (scripts/bench/floor.ts, a bare workflow
// run before and after ours on the same server), our phases, every figure of ours beside the
// floor's (scripts/bench/compare.ts), then the drain with WORKERS and WORKERS+1 workers
// (scripts/bench/drain-workers.ts; BENCH_DRAIN_WORKERS=0 skips it). The phases with their own stack
// (verification, year of history, messaging limit) and the tenant statistics run once, and the run
// ends with every figure's topologies side by side (scripts/bench/report.ts). A provider stand-in
// enforces WhatsApp's limits (80 msg/s per number → 130429, one message per 6 s per recipient →
// 131056) and counts duplicates. Prints one line per figure, each a ratio measured in this run, with
// absolute numbers and the core count. BENCH_CLAIMS (default 2,000), BENCH_FLOOR_WORKFLOWS (2,000),
// BENCH_FLOOR_RUNS (2; 1: before ours only; 0: none); BENCH_VOLUME=1 or BENCH_HISTORY_CLAIMS=<n>
// adds the year-of-history phase (scripts/bench/volume-soak.ts).
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
// Default import: @temporalio/proto is CommonJS (see test/support/temporal.ts).
import protoModule from '@temporalio/proto';
import jwt from 'jsonwebtoken';
import { createSecretBox } from '../src/crypto/secret-box.js';
import { createDatabase } from '../src/db/client.js';
import type { TemporalTopology } from '../src/dev/topology.js';
import { PROJECT_ROOT } from '../src/temporal/binaries.js';
import { MAX_CACHED_WORKFLOWS } from '../src/worker/options.js';
import { CLAIM_WORKFLOW_TYPE } from '../workflows/definitions.js';
import { type OurFigures, printComparison, printFloorRun } from './bench/compare.js';
import { benchDrainByWorkers } from './bench/drain-workers.js';
import { type BenchStack, type FloorFigures, measureFloor, memoryFigures } from './bench/floor.js';
import { cpuLine, cpuMsPer, cpuSnapshot, rssMb, threadCpuSeconds } from './bench/proc.js';
import { figure, measuring, printSideBySide } from './bench/report.js';
import { benchTenantStats } from './bench/tenant-stats.js';
import { benchTopologies, startTopologyStack } from './bench/topology-stack.js';
import { atConcurrency, prometheusSum, say, sleep, until } from './bench/util.js';

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
  const benchDir = mkdtempSync(join(tmpdir(), 'social-tasks-bench-'));
  chmodSync(benchDir, 0o755);
  const topologies = benchTopologies();
  say(`work dir ${benchDir}; ${CLAIMS} claims; ${cpus().length} cores; topologies ${topologies.join(', ')}`);
  for (const [index, topology] of topologies.entries()) {
    measuring(topology);
    // Tenant statistics read our API and PostgreSQL only (no Temporal): once, on the first topology's stack.
    await benchTopology(topology, benchDir, { tenantStats: index === 0 && process.env.BENCH_TENANT_STATS !== '0' });
  }
  measuring(undefined);
  try {
    await runOwnStackPhases();
  } finally {
    printSideBySide();
  }
}

/**
 * Phases 1-6 on a stack of one topology (scripts/bench/topology-stack.ts): the floor before, ours,
 * the floor after and the comparison; then the drain by worker count; then (once) tenant statistics.
 */
async function benchTopology(topology: TemporalTopology, benchDir: string, options: { tenantStats: boolean }): Promise<void> {
  const provider = await startProviderStandIn();
  const jwtSecret = randomBytes(32).toString('hex');
  const encryptionKey = randomBytes(32);
  // BENCH_WORKER_PROFILE=<dir>: V8 CPU profiles of the first worker's threads during the drain
  // (scripts/bench/profile-hook.mjs), in <dir>/<topology> when several topologies run.
  const profileRoot = process.env.BENCH_WORKER_PROFILE ? resolve(process.env.BENCH_WORKER_PROFILE) : undefined;
  const profileDir = profileRoot && benchTopologies().length > 1 ? join(profileRoot, topology) : profileRoot;
  // The hook writes into it and does not create it.
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const stack = await startTopologyStack({
    topology,
    workDir: benchDir,
    env: {
      JWT_SECRET: jwtSecret,
      TOKEN_ENCRYPTION_KEY: encryptionKey.toString('base64'),
      CLAIM_VERIFY_DELAY: '1s',
      OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true',
      // The run measures throughput, not the claim-rate limits: budgets far above what it sends.
      CLAIM_RATE_PER_USER: '1000000',
      CLAIM_RATE_PER_TENANT: '1000000',
      LOG_LEVEL: 'warn',
      WHATSAPP_API_URL: `${provider.url}/n/platform/send`,
      WHATSAPP_API_KEY: 'bench-key',
      WHATSAPP_SEND_RATE: String(RATE),
      // The API refuses to start with an open /metrics; the bench reads the worker's heap without a token.
      METRICS_PUBLIC: 'true',
      // The big tenant sends every claim through the platform's provider: no daily quota in the way.
      PLATFORM_WHATSAPP_DAILY_QUOTA: '100000000',
    },
    workerEnv: (index) =>
      profileDir && index === 0
        ? { BENCH_PROFILE_DIR: profileDir, NODE_OPTIONS: `--import ${join(PROJECT_ROOT, 'scripts', 'bench', 'profile-hook.mjs')}` }
        : {},
  });
  say(
    `${topology} topology: Temporal ${stack.temporalAddress}, ${stack.ours.workers.length} worker(s), ${stack.ours.apis.length} API(s) (${stack.apiUrl})`,
  );
  const { apiUrl, client, taskQueue, databaseUrl } = stack;
  // Memory figures and the thread profile are the first worker's.
  const worker = stack.ours.workers[0]!;
  const workerMetricsPort = stack.workerMetricsPorts[0]!;
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
  const processes = () => stack.processes();
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
  const floorStack: BenchStack = {
    client,
    temporalAddress: stack.temporalAddress,
    namespace: stack.namespace,
    provider,
    logDir: stack.logDir,
    serverPids: () => stack.serverPids(),
  };
  const floorRuns: FloorFigures[] = [];
  const runFloor = async (label: string) => {
    say(`floor ${label}: ${FLOOR_WORKFLOWS} bare workflows`);
    const run = await measureFloor(floorStack, FLOOR_WORKFLOWS, `${suffix}-${label}`);
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
  const allWaiting = () => db.claim.count({ where: { notificationStatus: 'WAITING_FOR_WINDOW' } });
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
  const one = await db.claim.findFirstOrThrow({ where: { tenantId: small.id } });
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
    drain: { claims: bigSends.length, perSecond: bigSends.length / drainS, cpuMsPerClaim: byRole(cpuMsPer(drainCpu, drainCpuAfter, CLAIMS + 1)) },
    historyEvents: events,
    rss: memoryFigures(idleRss, waitingRss, cachedClaims, CLAIMS + 1),
  };
  printComparison(ours, floorRuns);

  // 7. The drain with WORKERS, then WORKERS+1 worker processes (BENCH_DRAIN_WORKERS=0 skips it).
  if (process.env.BENCH_DRAIN_WORKERS !== '0') {
    await benchDrainByWorkers(stack, {
      claims: Number(process.env.BENCH_DRAIN_CLAIMS ?? 1_000),
      channels: Number(process.env.BENCH_DRAIN_CHANNELS ?? 4),
      jwtSecret,
      encryptionKey,
    });
  }
  // 8. Tenant statistics and export at campaign scale (scripts/bench/tenant-stats.ts); BENCH_TENANT_STATS=0
  // skips it. Not a figure of the topology (Temporal takes no part), so not in the side-by-side table.
  if (options.tenantStats) {
    measuring(undefined);
    await benchTenantStats({ db, databaseUrl, apiUrl, apiPid: stack.ours.apis[0]?.pid, jwtSecret, say, figure });
    measuring(topology);
  }

  await db.$disconnect();
  await stack.stop();
  provider.close();
}

/**
 * CPU per process with several workers or APIs (worker-1, worker-2, …) summed per role, so the
 * comparison with the floor's single worker reads the same whatever WORKERS and APIS are.
 */
function byRole(perProcess: Record<string, number>): Record<string, number> {
  const roles: Record<string, number> = {};
  for (const [name, value] of Object.entries(perProcess)) {
    const role = name.replace(/^(worker|api)-\d+$/, '$1');
    roles[role] = (roles[role] ?? 0) + value;
  }
  return roles;
}

/** The phases on their own stacks, in child processes: once, whatever the topologies. */
async function runOwnStackPhases(): Promise<void> {
  // 9. Verification at scale (modest sizes): Graph reads per claim. BENCH_VERIFICATION=0 skips it.
  if (process.env.BENCH_VERIFICATION !== '0') {
    await runPhase(join('scripts', 'bench-verification.ts'), {
      BENCH_COMMENTS: process.env.BENCH_VERIFY_COMMENTS ?? '2000',
      BENCH_CLAIMS: process.env.BENCH_VERIFY_CLAIMS ?? '200',
    });
  }
  // 10. A year of history: intake, drain and verification with and without BENCH_HISTORY_CLAIMS
  // (default 1,000,000) historical claims. On with BENCH_VOLUME=1 or BENCH_HISTORY_CLAIMS.
  if (process.env.BENCH_VOLUME === '1' || process.env.BENCH_HISTORY_CLAIMS) await runPhase(join('scripts', 'bench', 'volume-soak.ts'), {});
  // 11. WhatsApp's messaging limit: BENCH_MESSAGING_LIMIT=0 skips it.
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
