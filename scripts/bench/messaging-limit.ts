// Bench phase: WhatsApp's messaging limit at campaign scale. BENCH_LIMIT_CLAIMS claims (default
// 2,000) on one Cloud API number whose business portfolio may reach BENCH_LIMIT_TIER users (default
// TIER_250) outside a customer-service window in 24 h. Reports how many were sent (must equal the
// limit), how many wait with MESSAGING_LIMIT and how many FAILED (must be 0), and how often the fake
// Cloud API saw the portfolio go over its limit (must be 0); then raises the limit with a signed
// business_capability_update webhook and reports how long the waiting ones took to go out.
// Its own stack (embedded PostgreSQL, the Temporal dev server, the real API and worker in process,
// the fake Meta over HTTP), like scripts/bench-verification.ts.
//   BENCH_LIMIT_CLAIMS=60 BENCH_LIMIT_TIER=TIER_20 npx tsx scripts/bench/messaging-limit.ts
import { cpus } from 'node:os';
import { signMetaPayload } from '../../src/features/webhooks/meta-signature.js';
import { refreshMessagingLimit } from '../../src/notifications/refresh-messaging-limit.js';
import { startFakeMeta } from '../../test/fakes/fake-meta.js';
import { startTestPostgres } from '../../test/support/start-test-postgres.js';
import { stopTestPostgres } from '../../test/support/stop-test-postgres.js';
import { startTestSystem } from '../../test/support/system.js';
import { tokens } from '../../test/support/tokens.js';

const CLAIMS = Number(process.env.BENCH_LIMIT_CLAIMS ?? 2_000);
const TIER = process.env.BENCH_LIMIT_TIER ?? 'TIER_250';
const RAISED_TIER = process.env.BENCH_LIMIT_RAISED_TIER ?? 'TIER_10K';
const CONCURRENCY = 32;
const say = (line: string) => console.log(`[bench limit ${new Date().toISOString().slice(11, 19)}] ${line}`);
const figure = (line: string) => console.log(`FIGURE ${line}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 500): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(intervalMs);
  }
  return false;
}

async function inParallel(n: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) await work(next++);
    }),
  );
}

export async function runMessagingLimitBench(): Promise<void> {
  await startTestPostgres();
  const fakeMeta = await startFakeMeta({ appSecret: 'bench-limit-secret' });
  const system = await startTestSystem({
    env: {
      META_GRAPH_BASE_URL: fakeMeta.url,
      META_APP_ID: fakeMeta.appId,
      META_APP_SECRET: fakeMeta.appSecret,
      CLAIM_VERIFY_DELAY: '1s',
      LOG_LEVEL: 'silent',
    },
  });
  try {
    const { db, secrets } = system.deps;
    say(`${CLAIMS} claims, portfolio limit ${TIER}, ${cpus().length} cores`);
    const tenantId = await system.createTenant('bench-limit');
    const admin = tokens.tenantAdmin(tenantId);

    const waba = fakeMeta.addWaba({ name: 'Bench WABA' });
    const business = fakeMeta.addBusiness({ messagingLimit: TIER, wabaIds: [waba.id] });
    const phone = fakeMeta.addPhoneNumber(waba.id);
    fakeMeta.addTemplate(waba.id, { name: 'spins_added', language: 'es', bodyText: 'Hola {{1}}: {{2}} sumó {{3}} giros. {{4}}' });
    const token = fakeMeta.addBusinessToken([waba.id]);
    const account = await db.whatsappAccount.create({
      data: { tenantId, wabaId: waba.id, phoneNumberId: phone.id, displayPhoneNumber: '+1 555 0250', accessToken: secrets.seal(token.token) },
    });
    const learnt = await refreshMessagingLimit(system.deps, account.id);
    const portfolio = await db.whatsappPortfolio.findUniqueOrThrow({ where: { id: learnt.businessId ?? '' } });
    const limit = portfolio.messagingLimit ?? Number.POSITIVE_INFINITY;
    say(`portfolio ${portfolio.id} learnt from the Graph API: limit ${portfolio.messagingLimit}`);

    const campaign = await system.request('POST', '/api/v1/campaigns', {
      token: admin,
      body: {
        name: 'Limit bench',
        notificationStartHour: 0,
        notificationEndHour: 0,
        whatsappAccountId: account.id,
        notificationTemplate: { name: 'spins_added', language: 'es' },
      },
    });
    if (campaign.status !== 201) throw new Error(`campaign: ${campaign.status} ${campaign.text}`);
    const task = await system.request('POST', `/api/v1/campaigns/${campaign.body.id}/tasks`, {
      token: admin,
      body: { title: 'Comment on our post', platform: 'INSTAGRAM', actionType: 'COMMENT', spinsReward: 1, verificationStrategy: 'HONOR_SYSTEM' },
    });
    if (task.status !== 201) throw new Error(`task: ${task.status} ${task.text}`);
    await db.endUser.createMany({
      data: Array.from({ length: CLAIMS }, (_, i) => ({
        tenantId,
        name: `U${i}`,
        phone: `+5191${String(i).padStart(7, '0')}`,
        whatsappOptInAt: new Date(),
        whatsappOptInSource: 'bench',
      })),
    });
    const users = await db.endUser.findMany({ where: { tenantId }, select: { id: true }, orderBy: { phone: 'asc' } });

    const started = Date.now();
    await inParallel(CLAIMS, async (i) => {
      const response = await system.request('POST', `/api/v1/tasks/${task.body.id}/claims`, {
        token: tokens.endUser(tenantId, users[i]!.id),
        body: {},
      });
      if (response.status !== 202) throw new Error(`claim: ${response.status} ${response.text}`);
    });
    say(`${CLAIMS} claims accepted in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const expectedSent = Math.min(CLAIMS, limit);
    const counts = async () => {
      const rows = await db.claim.groupBy({
        by: ['notificationStatus', 'notificationReason'],
        where: { tenantId },
        _count: true,
      });
      const of = (match: (row: (typeof rows)[number]) => boolean) => rows.filter(match).reduce((sum, row) => sum + row._count, 0);
      return {
        sent: of((row) => ['SENT', 'DELIVERED', 'READ'].includes(row.notificationStatus)),
        waitingForLimit: of((row) => row.notificationStatus === 'WAITING_FOR_WINDOW' && row.notificationReason === 'MESSAGING_LIMIT'),
        failed: of((row) => row.notificationStatus === 'FAILED'),
        other: of((row) => !['SENT', 'DELIVERED', 'READ', 'FAILED'].includes(row.notificationStatus) && row.notificationReason !== 'MESSAGING_LIMIT'),
      };
    };
    let lastReport = Date.now();
    const settled = await until(async () => {
      const now = await counts();
      if (Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        say(`sent ${now.sent}, waiting with MESSAGING_LIMIT ${now.waitingForLimit}, FAILED ${now.failed}, other ${now.other}`);
      }
      return now.sent + now.waitingForLimit + now.failed === CLAIMS;
    }, 20 * 60_000);
    const before = await counts();
    figure(
      `messaging limit ${limit}: sent ${before.sent} (expected ${expectedSent}), waiting with MESSAGING_LIMIT ${before.waitingForLimit} (expected ${CLAIMS - expectedSent}), FAILED ${before.failed}, other ${before.other}${settled ? '' : ' (not settled in 20 min)'}; the fake Cloud API saw the portfolio go over its limit ${business.overLimit} times; messages Meta accepted ${fakeMeta.sentMessages.length}`,
    );

    // Meta raises the limit: a signed business_capability_update for the WABA.
    business.messagingLimit = RAISED_TIER;
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: waba.id,
          time: Math.floor(Date.now() / 1000),
          changes: [{ field: 'business_capability_update', value: { whatsapp_business_manager_messaging_limit: RAISED_TIER } }],
        },
      ],
    });
    const raisedAt = Date.now();
    const delivered = await system.request('POST', '/webhooks/meta', {
      rawBody: body,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaPayload(body, fakeMeta.appSecret) },
    });
    if (delivered.status !== 200) throw new Error(`webhook: ${delivered.status} ${delivered.text}`);
    const drained = await until(async () => (await counts()).sent === CLAIMS, 20 * 60_000, 250);
    const drainSeconds = (Date.now() - raisedAt) / 1000;
    const after = await counts();
    figure(
      `limit raised to ${RAISED_TIER} by webhook: the ${before.waitingForLimit} waiting went out in ${drainSeconds.toFixed(1)} s (${(before.waitingForLimit / drainSeconds).toFixed(1)} msg/s; sent ${after.sent}/${CLAIMS}, FAILED ${after.failed}${drained ? '' : ', not drained in 20 min'}); portfolio over its limit ${business.overLimit} times`,
    );
    const perRecipient = new Map<string, number>();
    for (const message of fakeMeta.sentMessages) perRecipient.set(message.waId, (perRecipient.get(message.waId) ?? 0) + 1);
    figure(`duplicates ${[...perRecipient.values()].filter((n) => n > 1).length} of ${perRecipient.size} recipients`);
  } finally {
    await system.stop();
    await fakeMeta.close();
    await stopTestPostgres();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runMessagingLimitBench().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
