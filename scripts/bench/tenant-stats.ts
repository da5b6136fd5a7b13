// Bench phase: what a tenant admin reads at campaign scale. A campaign of BENCH_TENANT_CLAIMS claims
// (default 100,000, seeded with SQL) on the running API: the latency of GET /campaigns/:id/stats
// (target < 200 ms), and the export of the whole campaign as CSV with the API's peak RSS growth
// (target < 50 MB).
import jwt from 'jsonwebtoken';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createDatabase, type Database } from '../../src/db/client.js';
import { aggregateCampaignClaims } from '../../src/features/campaigns/campaign-stats-queries.js';
import { seedCampaignClaims } from './seed-campaign-claims.js';

export interface TenantBenchContext {
  readonly db: Database;
  /** For the CPU figure: a connection of our own whose server process we can watch */
  readonly databaseUrl: string;
  readonly apiUrl: string;
  /** The API process, whose resident memory the export figure watches */
  readonly apiPid: number | undefined;
  readonly jwtSecret: string;
  readonly say: (line: string) => void;
  readonly figure: (line: string) => void;
}

const STATS_READS = 10;

export async function benchTenantStats(ctx: TenantBenchContext): Promise<void> {
  const claims = Number(process.env.BENCH_TENANT_CLAIMS ?? 100_000);
  const suffix = randomBytes(3).toString('hex');
  const tenant = await ctx.db.tenant.create({ data: { name: 'Stats', slug: `stats-${suffix}` } });
  const seedStarted = Date.now();
  const seeded = await seedCampaignClaims(ctx.db, { tenantId: tenant.id, claims, label: suffix });
  ctx.say(`tenant bench: ${claims} claims over ${seeded.taskIds.length} tasks seeded in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s`);
  const token = jwt.sign({ role: 'tenant_admin', tenantId: tenant.id }, ctx.jwtSecret, {
    algorithm: 'HS256',
    subject: 'bench-admin',
    expiresIn: 3600,
  });
  const headers = { authorization: `Bearer ${token}` };

  const readStats = async (): Promise<number> => {
    const started = performance.now();
    const response = await fetch(`${ctx.apiUrl}/api/v1/campaigns/${seeded.campaignId}/stats`, { headers });
    const body = (await response.json()) as { claims?: { total?: number } };
    if (response.status !== 200 || body.claims?.total !== claims)
      throw new Error(`stats answered ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
    return performance.now() - started;
  };
  await readStats(); // warm-up: the first read plans the statement and fills the caches
  const latencies: number[] = [];
  for (let read = 0; read < STATS_READS; read++) latencies.push(await readStats());
  latencies.sort((x, y) => x - y);
  const median = latencies[Math.floor(latencies.length / 2)]!;
  const worst = latencies[latencies.length - 1]!;
  ctx.figure(
    `campaign stats ${median.toFixed(0)} ms median, ${worst.toFixed(0)} ms worst of ${STATS_READS} reads at ${claims} claims (${(median / 200).toFixed(2)} of the 200 ms target)`,
  );
  await benchStatsCpu(ctx, { tenantId: tenant.id, campaignId: seeded.campaignId, claims });
  await benchClaimExport(ctx, { campaignId: seeded.campaignId, token, claims });
}

/** CPU seconds (user + system) a process has used, from /proc (Linux; 100 ticks per second). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * The statement's own cost, independent of what else the machine runs: the CPU its PostgreSQL
 * server process spends per read (wall latency on a shared 2-core machine mostly measures the queue).
 */
async function benchStatsCpu(ctx: TenantBenchContext, target: { tenantId: string; campaignId: string; claims: number }): Promise<void> {
  const single = createDatabase(ctx.databaseUrl, { maxConnections: 1, role: 'request' });
  try {
    const [{ pid }] = await single.$queryRaw<[{ pid: number }]>`SELECT pg_backend_pid() AS pid`;
    await aggregateCampaignClaims(single, target.tenantId, target.campaignId);
    const before = cpuMs(pid);
    for (let read = 0; read < STATS_READS; read++) await aggregateCampaignClaims(single, target.tenantId, target.campaignId);
    const perRead = (cpuMs(pid) - before) / STATS_READS;
    ctx.figure(
      `campaign stats statement: ${perRead.toFixed(0)} ms of PostgreSQL CPU per read at ${target.claims} claims (load-independent; ${(perRead / 200).toFixed(2)} of the 200 ms target)`,
    );
  } finally {
    await single.$disconnect();
  }
}

/** Resident memory of a process, in MB (Linux /proc). */
function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('VmRSS:'));
  return Number(line?.match(/(\d+)/)?.[1] ?? Number.NaN) / 1024;
}

/** Exports the campaign as CSV while sampling the API's RSS; the figure is the peak growth over the RSS before. */
export async function benchClaimExport(ctx: TenantBenchContext, target: { campaignId: string; token: string; claims: number }): Promise<void> {
  const pid = ctx.apiPid;
  if (!pid) throw new Error('the export bench needs the API process id');
  const baseline = rssMb(pid);
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb(pid));
  }, 20);
  const started = performance.now();
  let bytes = 0;
  let lines = 0;
  try {
    const response = await fetch(`${ctx.apiUrl}/api/v1/completions/export?campaignId=${target.campaignId}`, {
      headers: { authorization: `Bearer ${target.token}` },
    });
    if (response.status !== 200 || !response.body) throw new Error(`export answered ${response.status}`);
    // Read as a slow-enough client would: chunk by chunk, counting records, keeping nothing.
    for await (const chunk of response.body) {
      bytes += chunk.byteLength;
      for (const byte of chunk) if (byte === 0x0a) lines++;
    }
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  const growth = peak - baseline;
  // Names and handles here have no line breaks: every record is one line, plus the header.
  if (lines !== target.claims + 1) throw new Error(`export had ${lines - 1} records, expected ${target.claims}`);
  ctx.figure(
    `export of ${target.claims} claims: ${(bytes / 1e6).toFixed(1)} MB of CSV in ${seconds.toFixed(1)} s; API RSS ${baseline.toFixed(0)} → peak ${peak.toFixed(0)} MB, growth ${growth.toFixed(1)} MB (${(growth / 50).toFixed(2)} of the 50 MB target)`,
  );
}
