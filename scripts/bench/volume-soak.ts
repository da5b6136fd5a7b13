// Bench phase: does a year of history slow anything down? On its own stack (embedded PostgreSQL,
// the Temporal dev server, the real API and worker in this process, the fake Meta and a WhatsApp
// provider stand-in over HTTP), the same three measurements run twice in one run: on the empty
// database, then after PostgreSQL is filled with BENCH_HISTORY_CLAIMS claims (default 1,000,000) of
// 2,000 tenants, notified, with their webhook deliveries, delivery statuses and comments, and
// 20,000 comments on one post (test/support/history-seed.ts, generate_series):
//   - intake: BENCH_VOLUME_CLAIMS (1,000) POST /claims at concurrency 32, claims/s;
//   - drain: those claims verified and waiting for a closed window, the window opened by PATCH, until
//     every message is sent, messages/s; with pg_stat_user_tables.seq_scan deltas per table;
//   - verification: BENCH_VOLUME_VERIFY_CLAIMS (200) comment claims on a post of 20,000 comments,
//     first verify to last decision, claims/s.
// Prints each ratio full/empty (target ≤ 1.15) and PostgreSQL bytes per historical claim.
//   BENCH_HISTORY_CLAIMS=20000 npx tsx scripts/bench/volume-soak.ts
import { cpus } from 'node:os';
import pg from 'pg';
import { startFakeMeta, type FakeMeta } from '../../test/fakes/fake-meta.js';
import { startFakeHttpServer } from '../../test/support/fake-http-server.js';
import { seedHistory } from '../../test/support/history-seed.js';
import { startTestPostgres } from '../../test/support/start-test-postgres.js';
import { stopTestPostgres } from '../../test/support/stop-test-postgres.js';
import { startTestSystem, type TestSystem } from '../../test/support/system.js';
import { tokens } from '../../test/support/tokens.js';
import { API_POOL_SIZE, workerPoolSize } from '../../src/worker/worker-slots.js';
import { figure } from './report.js';
import { atConcurrency, say, sleep, until } from './util.js';

const HISTORY_CLAIMS = Number(process.env.BENCH_HISTORY_CLAIMS ?? 1_000_000);
const HISTORY_TENANTS = Number(process.env.BENCH_HISTORY_TENANTS ?? 2_000);
const CLAIMS = Number(process.env.BENCH_VOLUME_CLAIMS ?? 1_000);
const VERIFY_CLAIMS = Number(process.env.BENCH_VOLUME_VERIFY_CLAIMS ?? 200);
const POST_COMMENTS = 20_000;
const CONCURRENCY = 32;
const TARGET_RATIO = 1.15;
/** The tables whose sequential scans the drain must not cause. */
const WATCHED = ['SocialTaskCompletion', 'IndexedComment', 'WebhookEvent', 'MessageStatusEvent'];
/** Each round's end users get their own phone numbers. */
const PHONE_PREFIX: Record<string, number> = { 'warm-up': 0, empty: 1, full: 2 };

interface RoundFigures {
  readonly intakePerSecond: number;
  readonly drainPerSecond: number;
  readonly verifyPerSecond: number;
  readonly seqScans: Record<string, number>;
}

async function main(): Promise<void> {
  await startTestPostgres();
  const fakeMeta = await startFakeMeta({ appSecret: 'volume-secret' });
  const sent: { path: string; at: number }[] = [];
  const provider = await startFakeHttpServer((request) => {
    sent.push({ path: request.path, at: Date.now() });
    return { body: { status: 'success', data: { messageId: `m-${sent.length}` } } };
  });
  const system = await startTestSystem({
    // The API's and the worker's pools in one process, sized as in production.
    databasePoolSize: API_POOL_SIZE + workerPoolSize(),
    env: {
      META_GRAPH_BASE_URL: fakeMeta.url,
      META_APP_ID: fakeMeta.appId,
      META_APP_SECRET: fakeMeta.appSecret,
      CLAIM_VERIFY_DELAY: '1s',
      COMMENT_INDEX_COALESCE: '1s',
      // Throughput, not the claim-rate limits: budgets far above what the bench sends.
      CLAIM_RATE_PER_USER: '1000000',
      CLAIM_RATE_PER_TENANT: '1000000',
      WHATSAPP_API_URL: `${provider.url}/platform/send`,
      WHATSAPP_API_KEY: 'volume-key',
      LOG_LEVEL: 'silent',
    },
  });
  const session = new pg.Client({ connectionString: system.database.url });
  await session.connect();
  try {
    say(`volume soak: ${CLAIMS} claims per round, ${VERIFY_CLAIMS} verifications on a ${POST_COMMENTS}-comment post; ${cpus().length} cores`);
    // A small round first, discarded: the empty round must not pay for cold code paths and caches.
    await round(system, fakeMeta, session, sent, 'warm-up', { claims: Math.max(20, Math.round(CLAIMS / 10)), verifyClaims: 10, comments: 1_000 });
    const empty = await round(system, fakeMeta, session, sent, 'empty');
    const bytesBefore = await databaseBytes(session);
    say(`seeding ${HISTORY_CLAIMS} historical claims of ${HISTORY_TENANTS} tenants`);
    const seedStarted = Date.now();
    await seedHistory(session, { claims: HISTORY_CLAIMS, tenants: HISTORY_TENANTS, bigPostComments: POST_COMMENTS });
    const historyBytes = (await databaseBytes(session)) - bytesBefore;
    say(`seeded in ${((Date.now() - seedStarted) / 1000).toFixed(0)} s`);
    const full = await round(system, fakeMeta, session, sent, 'full');

    const ratio = (name: string, emptyValue: number, fullValue: number, unit: string) => {
      // Rates: the ratio is how much longer the same work takes with the history (empty / full).
      const slower = emptyValue / fullValue;
      figure(
        `volume ${name} ${slower.toFixed(2)} full/empty time (${fullValue.toFixed(1)} vs ${emptyValue.toFixed(1)} ${unit} with and without ${HISTORY_CLAIMS} historical claims; target ≤ ${TARGET_RATIO})`,
      );
    };
    ratio('intake', empty.intakePerSecond, full.intakePerSecond, 'claims/s');
    ratio('drain', empty.drainPerSecond, full.drainPerSecond, 'messages/s');
    ratio('verification', empty.verifyPerSecond, full.verifyPerSecond, 'claims/s');
    for (const [label, figures] of [
      ['empty', empty],
      ['full', full],
    ] as const) {
      const scans = WATCHED.map((table) => `${table} ${figures.seqScans[table] ?? 0}`).join(', ');
      figure(`volume sequential scans during the drain (${label}): ${scans}`);
    }
    figure(
      `volume storage ${(historyBytes / HISTORY_CLAIMS).toFixed(0)} bytes of PostgreSQL per historical claim (${(historyBytes / 1024 / 1024).toFixed(0)} MB for ${HISTORY_CLAIMS} claims with their credits, webhook rows, statuses and comments)`,
    );
  } finally {
    await session.end();
    await system.stop();
    await provider.close();
    await fakeMeta.close();
    await stopTestPostgres();
  }
}

interface RoundSize {
  readonly claims: number;
  readonly verifyClaims: number;
  readonly comments: number;
}

/** Intake, drain and verification on a fresh tenant of their own, as the database is now. */
async function round(
  system: TestSystem,
  fakeMeta: FakeMeta,
  session: pg.Client,
  sent: { path: string; at: number }[],
  label: string,
  size: RoundSize = { claims: CLAIMS, verifyClaims: VERIFY_CLAIMS, comments: POST_COMMENTS },
): Promise<RoundFigures> {
  const CLAIMS = size.claims;
  const { db } = system.deps;
  const tenantId = await system.createTenant(`volume-${label}`);
  const admin = tokens.tenantAdmin(tenantId);
  const hour = new Date().getUTCHours();
  const campaign = await db.campaign.create({
    data: { tenantId, name: `Volume ${label}`, timezone: 'UTC', notificationStartHour: (hour + 3) % 24, notificationEndHour: (hour + 4) % 24 },
  });
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
  await db.endUser.createMany({
    data: Array.from({ length: CLAIMS }, (_, i) => ({
      tenantId,
      name: `V${i}`,
      phone: `+5197${PHONE_PREFIX[label] ?? 9}${String(i).padStart(6, '0')}`,
      whatsappOptInAt: new Date(),
      whatsappOptInSource: 'bench',
    })),
  });
  const users = await db.endUser.findMany({ where: { tenantId }, select: { id: true } });

  // Intake.
  const intakePerSecond = await atConcurrency(users.length, CONCURRENCY, async (i) => {
    const response = await retried(() =>
      system.request('POST', `/api/v1/tasks/${task.id}/claims`, { token: tokens.endUser(tenantId, users[i]!.id), body: {} }),
    );
    if (response.status !== 202 && response.status !== 200) throw new Error(`claim: ${response.status} ${response.text}`);
  });
  say(`${label}: intake ${intakePerSecond.toFixed(1)} claims/s`);
  const waiting = () => db.claim.count({ where: { campaignId: campaign.id, notificationStatus: 'WAITING_FOR_WINDOW' } });
  if (!(await until(async () => (await waiting()) === CLAIMS, 20 * 60_000, 1_000))) throw new Error(`${label}: claims never all waited`);

  // Drain.
  const sentBefore = sent.length;
  const scansBefore = await seqScans(session);
  const opened = Date.now();
  const patched = await system.request('PATCH', `/api/v1/campaigns/${campaign.id}`, {
    token: admin,
    body: { notificationStartHour: 0, notificationEndHour: 0 },
  });
  if (patched.status !== 200) throw new Error(`PATCH: ${patched.status} ${patched.text}`);
  if (!(await until(async () => sent.length - sentBefore >= CLAIMS, 20 * 60_000, 100))) throw new Error(`${label}: the drain never finished`);
  const drainSeconds = (Math.max(...sent.slice(sentBefore).map((message) => message.at)) - opened) / 1000;
  // Backends report their counters within a second or so of going idle.
  await sleep(2_000);
  const scansAfter = await seqScans(session);
  const seqScanDeltas = Object.fromEntries(WATCHED.map((table) => [table, (scansAfter[table] ?? 0) - (scansBefore[table] ?? 0)]));
  say(`${label}: drain ${(CLAIMS / drainSeconds).toFixed(1)} messages/s`);

  // Verification on a post of 20,000 comments.
  const verifyPerSecond = await verification(system, fakeMeta, label, size);
  say(`${label}: verification ${verifyPerSecond.toFixed(1)} claims/s`);
  return { intakePerSecond, drainPerSecond: CLAIMS / drainSeconds, verifyPerSecond, seqScans: seqScanDeltas };
}

/** Comment claims (95 % genuine) on a new post of `size.comments` comments; claims/s from first verify to last decision. */
async function verification(system: TestSystem, fakeMeta: FakeMeta, label: string, size: RoundSize): Promise<number> {
  const VERIFY_CLAIMS = size.verifyClaims;
  const POST_COMMENTS = size.comments;
  const { db } = system.deps;
  const tenantId = await system.createTenant(`volume-verify-${label}`);
  const admin = tokens.tenantAdmin(tenantId);
  const account = fakeMeta.addInstagramAccount({ username: `volume.${label}` });
  const media = fakeMeta.addInstagramMedia({ ownerId: account.id });
  const igToken = fakeMeta.addToken({ scopes: ['instagram_basic'] }).token;
  await system.request('PUT', '/api/v1/tenant/settings', {
    token: admin,
    body: { timezone: 'UTC', waConfig: null, metaConfig: { instagramAccountId: account.id, instagramToken: igToken } },
  });
  const campaign = await system.request('POST', '/api/v1/campaigns', { token: admin, body: { name: 'Verify', notificationEnabled: false } });
  const task = await system.request('POST', `/api/v1/campaigns/${campaign.body.id}/tasks`, {
    token: admin,
    body: { title: 'Comment', platform: 'INSTAGRAM', actionType: 'COMMENT', targetId: media.id, spinsReward: 1, verificationStrategy: 'META_API' },
  });
  if (task.status !== 201) throw new Error(`task: ${task.status} ${task.text}`);
  const genuine = Math.round(VERIFY_CLAIMS * 0.95);
  const claimants = Array.from({ length: VERIFY_CLAIMS }, (_, i) => `volume.${label}.fan${i}`);
  const authors = Array.from({ length: POST_COMMENTS }, (_, i) => `crowd${i}`);
  claimants.slice(0, genuine).forEach((handle, i) => {
    authors[i % 2 === 0 ? i : POST_COMMENTS - 1 - i] = handle;
  });
  const start = Date.now() - POST_COMMENTS * 1_000;
  await db.socialMediaTask.update({ where: { id: task.body.id }, data: { createdAt: new Date(start - 60_000) } });
  authors.forEach((username, i) => {
    fakeMeta.addInstagramComment(media.id, { username, atMs: start + i * 1_000 });
  });
  await db.endUser.createMany({
    data: claimants.map((handle, i) => ({ tenantId, name: handle, phone: `+5198${PHONE_PREFIX[label] ?? 9}${String(100_000 + i)}` })),
  });
  const users = await db.endUser.findMany({ where: { tenantId }, select: { id: true, name: true } });
  const userOf = new Map(users.map((user) => [user.name, user.id]));
  const ids: string[] = [];
  await atConcurrency(claimants.length, 25, async (i) => {
    const handle = claimants[i]!;
    const claimed = await retried(() =>
      system.request('POST', `/api/v1/tasks/${task.body.id}/claims`, { token: tokens.endUser(tenantId, userOf.get(handle)!), body: { handle } }),
    );
    if (claimed.status !== 202 && claimed.status !== 200) throw new Error(`claim: ${claimed.status} ${claimed.text}`);
    ids.push(claimed.body.completionId as string);
  });
  let rows: { status: string; claimedAt: Date; verifiedAt: Date | null }[] = [];
  const decided = await until(
    async () => {
      rows = await db.claim.findMany({ where: { id: { in: ids } }, select: { status: true, claimedAt: true, verifiedAt: true } });
      return rows.every((row) => row.status !== 'PENDING');
    },
    20 * 60_000,
    500,
  );
  if (!decided) throw new Error(`${label}: verification never finished`);
  const verified = rows.filter((row) => row.status === 'VERIFIED').length;
  if (verified !== genuine) say(`${label}: verified ${verified} of ${genuine} genuine claimants`);
  const firstVerify = Math.min(...rows.map((row) => row.claimedAt.getTime())) + system.config.claimVerifyDelayMs;
  const lastDecision = Math.max(...rows.map((row) => row.verifiedAt?.getTime() ?? 0));
  return VERIFY_CLAIMS / Math.max(0.001, (lastDecision - firstVerify) / 1000);
}

/**
 * A request retried when the connection fails (a keep-alive socket the server closed as it was
 * reused): the claim and the end user are keyed, so a repeat lands on the same row.
 */
async function retried<T>(request: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      if (attempt >= attempts || !(error instanceof TypeError)) throw error;
    }
  }
}

async function seqScans(session: pg.Client): Promise<Record<string, number>> {
  // The statistics collector reports with a short delay: take a fresh snapshot of it.
  await session.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await session.query<{ table: string; scans: string }>(
    `SELECT relname AS table, seq_scan::text AS scans FROM pg_stat_user_tables WHERE relname = ANY($1)`,
    [WATCHED],
  );
  return Object.fromEntries(rows.map((row) => [row.table, Number(row.scans)]));
}

async function databaseBytes(session: pg.Client): Promise<number> {
  const { rows } = await session.query<{ bytes: string }>('SELECT pg_database_size(current_database())::text AS bytes');
  return Number(rows[0]?.bytes ?? 0);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
