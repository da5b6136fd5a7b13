// The hot paths stay on indexes when the database holds a year of history. The database is filled
// with generate_series (test/support/history-seed.ts: 120,000 claims of 200 tenants, notified, with
// their webhook deliveries, delivery statuses and comments, 20,000 comments on one post) and
// analysed; then the real code runs once through every hot path (claim intake over HTTP, the claim
// workflow verifying, planning, stamping and sending on the worker, a delivery-status webhook, the
// list and timeline endpoints, the sweepers, the gauges, the re-plan fan-out, the comment index and
// retention) while every statement the Prisma client sends is collected. Each collected statement
// is then planned with EXPLAIN (FORMAT JSON) and its own parameters: none may read
// Claim, IndexedComment, WebhookEvent or MessageStatusEvent with a sequential scan.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createRetentionActivities } from '../../activities/retention.js';
import type { IssuedQuery } from '../../src/db/client.js';
import { findClaimInIndex, indexedCommentCounts } from '../../src/comment-index/match-in-index.js';
import { updateDatabaseGauges } from '../../src/observability/backlog-gauges.js';
import { startUnstartedClaims } from '../../src/temporal/claim-starter.js';
import { waitingClaimsPage } from '../../src/temporal/claim-signals.js';
import { startUnprocessedWebhooks } from '../../src/temporal/webhook-starter.js';
import { EvidenceScreen } from '../../src/verification/evidence-screen.js';
import { deliver, fixture, IDS } from '../fixtures/meta-webhooks/helpers.js';
import { eventually } from '../support/eventually.js';
import { startFakeHttpServer, type FakeHttpServer } from '../support/fake-http-server.js';
import { BIG_POST, historyId, seedHistory } from '../support/history-seed.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { seedAccount } from '../support/factories.js';

// Table names as PostgreSQL knows them (the Claim model's table is SocialTaskCompletion).
const WATCHED_TABLES = ['SocialTaskCompletion', 'IndexedComment', 'WebhookEvent', 'MessageStatusEvent'];

let system: TestSystem;
let graph: FakeHttpServer;
const issued: IssuedQuery[] = [];
let collecting = false;

beforeAll(async () => {
  graph = await startFakeHttpServer((request) => {
    if (request.method === 'POST' && /\/messages$/.test(request.path)) {
      return { body: { messaging_product: 'whatsapp', messages: [{ id: `wamid.plans-${randomUUID()}` }] } };
    }
    return { status: 404, body: { error: { message: 'not faked', code: 100 } } };
  });
  system = await startTestSystem({
    env: { META_GRAPH_BASE_URL: graph.url, CLAIM_VERIFY_DELAY: '100ms' },
    onQuery: (query) => {
      if (collecting) issued.push(query);
    },
  });
  const session = new pg.Client({ connectionString: system.database.url });
  await session.connect();
  try {
    await seedHistory(session, { claims: 120_000, tenants: 200, bigPostComments: 20_000 });
    // The plans are judged against the statistics of the seeded year (ANALYZE in the seed): no
    // autovacuum re-analysing a table mid-test after retention deleted most of it.
    for (const table of WATCHED_TABLES) await session.query(`ALTER TABLE "${table}" SET (autovacuum_enabled = false)`);
  } finally {
    await session.end();
  }
}, 180_000);

afterAll(async () => {
  await system?.stop();
  await graph?.close();
});

test('no hot-path statement reads a large table sequentially once a year of history is stored', async () => {
  const { db, secrets } = system.deps;
  // A tenant with a connected WhatsApp number, an honor-system task and an end user (setup, not collected).
  const tenantId = await system.createTenant(`plans-${randomUUID().slice(0, 6)}`);
  const account = await seedAccount(db, secrets, {
    tenantId,
    wabaId: IDS.wabaA,
    phoneNumberId: IDS.phoneNumberIdA,
    displayPhoneNumber: '+1 555-078-3881',
  });
  const campaign = await db.campaign.create({
    data: { tenantId, name: 'Now', notificationStartHour: 0, notificationEndHour: 0, whatsappAccountId: account.id },
  });
  const tasks = await Promise.all(
    ['Follow us', 'Like the post'].map((title) =>
      db.socialMediaTask.create({
        data: {
          tenantId,
          campaignId: campaign.id,
          title,
          platform: 'INSTAGRAM',
          actionType: 'FOLLOW',
          spinsReward: 2,
          verificationStrategy: 'HONOR_SYSTEM',
        },
      }),
    ),
  );
  const user = await db.endUser.create({
    data: {
      tenantId,
      name: 'Ana',
      phone: '+51911122233',
      instagramUsername: 'ana.plans',
      whatsappOptInAt: new Date(),
      whatsappOptInSource: 'test-fixture',
    },
  });
  const admin = tokens.tenantAdmin(tenantId);
  const endUser = tokens.endUser(tenantId, user.id);

  collecting = true;
  // Intake, verification, planning, stamping and sending (two claims of one user: one carries the other).
  const claimIds: string[] = [];
  for (const task of tasks) {
    const response = await system.request('POST', `/api/v1/tasks/${task.id}/claims`, { token: endUser, body: {} });
    expect([200, 201, 202]).toContain(response.status);
    claimIds.push(response.body.completionId);
  }
  const sent = await eventually(
    async () => {
      const rows = await db.claim.findMany({ where: { id: { in: claimIds } } });
      return rows.every((row) => row.notificationStatus === 'SENT' || row.notificationStatus === 'COALESCED') ? rows : undefined;
    },
    'both claims notified',
    60_000,
  );
  const wamid = sent.find((row) => row.notificationProviderMessageId)!.notificationProviderMessageId!;
  // A delivery-status webhook for our message, through the webhook workflow.
  await deliver(system, fixture('status-delivered', { [IDS.wamid]: wamid, [IDS.claimPlaceholder]: claimIds[0]! }));

  // The list and timeline endpoints.
  const reads = [
    [admin, '/api/v1/completions?limit=20'],
    [admin, `/api/v1/completions?limit=20&campaignId=${campaign.id}`],
    [admin, `/api/v1/completions?limit=20&status=VERIFIED`],
    [admin, `/api/v1/completions?limit=20&userId=${user.id}`],
    [admin, `/api/v1/completions/${claimIds[0]}`],
    [admin, `/api/v1/completions/${claimIds[0]}/timeline`],
    [admin, '/api/v1/webhooks/events?limit=20'],
    [admin, '/api/v1/webhooks/events?limit=20&unmatched=true'],
    [endUser, '/api/v1/claims?limit=20'],
    [endUser, `/api/v1/claims/${claimIds[0]}`],
    [endUser, `/api/v1/claims/${claimIds[0]}/timeline`],
    [tokens.tenantAdmin(BIG_POST.tenantId), '/api/v1/completions?limit=20&status=FAILED'],
    [tokens.tenantAdmin(BIG_POST.tenantId), `/api/v1/completions?limit=20&campaignId=${historyId('m', 1)}`],
  ] as const;
  for (const [token, path] of reads) expect((await system.request('GET', path, { token })).status).toBe(200);

  // Sweepers, gauges, the re-plan fan-out (a history tenant and ours), the comment index of the big post.
  await startUnstartedClaims(system.deps, { graceMs: 0 });
  await startUnprocessedWebhooks(system.deps, { graceMs: 0 });
  await updateDatabaseGauges(db);
  const historyCampaign = { kind: 'campaign', tenantId: BIG_POST.tenantId, campaignId: historyId('m', 1) } as const;
  await waitingClaimsPage(db, historyCampaign, undefined);
  await waitingClaimsPage(db, historyCampaign, { campaignId: historyId('m', 1), id: historyId('c', 1) });
  await waitingClaimsPage(db, { kind: 'tenant', tenantId: BIG_POST.tenantId }, undefined);
  await waitingClaimsPage(db, { kind: 'campaign', tenantId, campaignId: campaign.id }, undefined);
  const bigTarget = { id: historyId('x', 1, 1), platform: 'INSTAGRAM' as const, targetId: BIG_POST.targetId };
  const screen = new EvidenceScreen({ notBefore: new Date() });
  await findClaimInIndex(db, bigTarget, { handle: 'fan.777' }, screen);
  await findClaimInIndex(db, bigTarget, { proofCode: 'ST-ABC123' }, screen);
  await indexedCommentCounts(db, bigTarget.id);
  // Retention last: it deletes what a year left behind (a 30-day window).
  await createRetentionActivities({ db }).pruneRetainedRows({ retentionDays: 30, now: new Date().toISOString() });
  collecting = false;

  const planned = await planAll(system.database.url, issued);
  const sequential = planned.filter((plan) => plan.seqScans.length > 0);
  expect(planned.length).toBeGreaterThan(30);
  expect(sequential.map((plan) => `${plan.seqScans.join(', ')} ← ${plan.query}`)).toEqual([]);
}, 240_000);

interface Planned {
  readonly query: string;
  readonly seqScans: string[];
}

/** EXPLAIN of every distinct statement touching a watched table, with the parameters it was sent with. */
async function planAll(url: string, queries: readonly IssuedQuery[]): Promise<Planned[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const seen = new Set<string>();
    const planned: Planned[] = [];
    for (const { query, params } of queries) {
      if (!/^\s*(SELECT|UPDATE|DELETE|INSERT|WITH)\b/i.test(query)) continue;
      if (!WATCHED_TABLES.some((table) => query.includes(`"${table}"`))) continue;
      if (seen.has(query)) continue;
      seen.add(query);
      const values = parseParams(params);
      const result = await client.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${query}`, values);
      planned.push({ query, seqScans: seqScansOf(result.rows[0]!['QUERY PLAN']) });
    }
    return planned;
  } finally {
    await client.end();
  }
}

function parseParams(params: string): unknown[] {
  const parsed: unknown = JSON.parse(params || '[]');
  if (!Array.isArray(parsed)) return [];
  return parsed.map((value) => (value !== null && typeof value === 'object' && !Array.isArray(value) ? JSON.stringify(value) : value));
}

/** "Seq Scan on <table>" for each sequential scan of a watched table anywhere in the plan. */
function seqScansOf(plan: unknown, found: string[] = []): string[] {
  if (Array.isArray(plan)) {
    for (const item of plan) seqScansOf(item, found);
  } else if (plan && typeof plan === 'object') {
    const node = plan as Record<string, unknown>;
    const relation = node['Relation Name'];
    if (node['Node Type'] === 'Seq Scan' && typeof relation === 'string' && WATCHED_TABLES.includes(relation)) found.push(`Seq Scan on ${relation}`);
    for (const value of Object.values(node)) if (typeof value === 'object') seqScansOf(value, found);
  }
  return found;
}
