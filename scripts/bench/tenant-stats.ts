// Bench phase: what a tenant admin reads at campaign scale. A campaign of BENCH_TENANT_CLAIMS claims
// (default 100,000, seeded with SQL) on the running API: the latency of GET /campaigns/:id/stats
// (target < 200 ms).
import jwt from 'jsonwebtoken';
import { randomBytes } from 'node:crypto';
import type { Database } from '../../src/db/client.js';
import { seedCampaignClaims } from './seed-campaign-claims.js';

export interface TenantBenchContext {
  readonly db: Database;
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
}
