// Meta-outage phase of the bench: claims on one Instagram post wait through a Meta outage. Its own
// stack (embedded PostgreSQL, the Temporal dev server, the real API and worker, the fake Meta over
// HTTP). Every claimant really commented, but while the fake answers 500 on the post's comments
// edge (BENCH_OUTAGE_SECONDS, default 600: ten minutes) nothing can prove it. Targets: 0 claims
// credited without evidence (VERIFIED by a fallback), 0 FAILED, and every claim decided within
// 2 minutes of Meta's return. BENCH_OUTAGE_CLAIMS (default 500) claims.
//   npx tsx scripts/bench/meta-outage.ts            (or BENCH_META_OUTAGE=1 npm run bench)
import { cpus } from 'node:os';
import { startFakeMeta } from '../../test/fakes/fake-meta.js';
import { instagramWebhookPage } from '../../test/support/factories.js';
import { startTestPostgres } from '../../test/support/start-test-postgres.js';
import { stopTestPostgres } from '../../test/support/stop-test-postgres.js';
import { startTestSystem } from '../../test/support/system.js';
import { tokens } from '../../test/support/tokens.js';

const CLAIMS = Number(process.env.BENCH_OUTAGE_CLAIMS ?? 500);
const OUTAGE_MS = Number(process.env.BENCH_OUTAGE_SECONDS ?? 600) * 1_000;
const PARALLEL_REQUESTS = 25;
const DECIDE_TARGET_MS = 2 * 60_000;

const say = (line: string) => console.log(`[meta-outage ${new Date().toISOString().slice(11, 19)}] ${line}`);
const figure = (line: string) => console.log(`FIGURE meta-outage: ${line}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runMetaOutageBench(): Promise<{ creditedWithoutEvidence: number; failed: number; decideAfterReturnMs: number }> {
  await startTestPostgres();
  const fakeMeta = await startFakeMeta({ appSecret: 'bench-outage-secret' });
  const system = await startTestSystem({
    env: {
      META_GRAPH_BASE_URL: fakeMeta.url,
      META_APP_ID: fakeMeta.appId,
      META_APP_SECRET: fakeMeta.appSecret,
      CLAIM_VERIFY_DELAY: '1s',
      COMMENT_INDEX_COALESCE: '1s',
      LOG_LEVEL: 'silent',
    },
  });
  try {
    const { db } = system.deps;
    const tenantId = await system.createTenant('bench-outage');
    const admin = tokens.tenantAdmin(tenantId);
    const account = fakeMeta.addInstagramAccount({ username: 'outage.store' });
    const media = fakeMeta.addInstagramMedia({ ownerId: account.id });
    const igToken = fakeMeta.addToken({ scopes: ['instagram_basic', 'instagram_manage_comments'] }).token;
    await system.request('PUT', '/api/v1/tenant/settings', {
      token: admin,
      body: {
        timezone: 'UTC',
        waConfig: null,
        metaConfig: { instagramAccountId: account.id, instagramToken: igToken, ...instagramWebhookPage(fakeMeta, account.id) },
      },
    });
    const campaign = await system.request('POST', '/api/v1/campaigns', { token: admin, body: { name: 'Outage', notificationEnabled: false } });
    const task = await system.request('POST', `/api/v1/campaigns/${campaign.body.id}/tasks`, {
      token: admin,
      body: {
        title: 'Comment',
        platform: 'INSTAGRAM',
        actionType: 'COMMENT',
        targetId: media.id,
        spinsReward: 1,
        verificationStrategy: 'META_API',
        // The default fallback: a wrong fallback would credit claims without evidence.
        fallbackStrategy: 'STATISTICAL',
      },
    });
    if (task.status !== 201) throw new Error(`task: ${task.status} ${task.text}`);
    // The backfill of the (empty) post completes before the outage.
    for (let i = 0; i < 600 && !(await db.commentIndexTarget.findFirst({ where: { tenantId, completeThrough: { not: null } } })); i++)
      await sleep(100);

    const outage = fakeMeta.failNext({
      method: 'GET',
      path: `/${media.id}/comments`,
      status: 500,
      error: { message: 'An unexpected error has occurred. Please retry your request later.', code: 2, is_transient: true },
      times: Number.MAX_SAFE_INTEGER,
    });
    const outageStarted = Date.now();
    say(`Meta answers 500 on /${media.id}/comments for ${OUTAGE_MS / 1000} s; ${CLAIMS} claimants comment and claim`);
    const claimants = Array.from({ length: CLAIMS }, (_, i) => `outage.fan${i}`);
    for (const [i, username] of claimants.entries()) fakeMeta.addInstagramComment(media.id, { username, atMs: Date.now() + 1_000 + i });
    const ids: string[] = [];
    for (let i = 0; i < claimants.length; i += PARALLEL_REQUESTS) {
      ids.push(
        ...(await Promise.all(
          claimants.slice(i, i + PARALLEL_REQUESTS).map(async (handle, j) => {
            const user = await system.request('POST', '/api/v1/end-users', {
              token: admin,
              body: { name: handle, phone: `+5195${String(1_000_000 + i + j)}` },
            });
            const claimed = await system.request('POST', `/api/v1/tasks/${task.body.id}/claims`, {
              token: tokens.endUser(tenantId, user.body.id),
              body: { handle },
            });
            if (claimed.status !== 202) throw new Error(`claim: ${claimed.status} ${claimed.text}`);
            return claimed.body.completionId as string;
          }),
        )),
      );
    }
    const decidedSoFar = async () => db.claim.count({ where: { id: { in: ids }, status: { not: 'PENDING' } } });
    await sleep(Math.max(0, outageStarted + OUTAGE_MS - Date.now()));
    const earlyDecisions = await decidedSoFar();
    outage.cancel();
    const returnedAt = Date.now();
    say(
      `Meta is back after ${((returnedAt - outageStarted) / 1000).toFixed(0)} s (${outage.hits} failed reads; ${earlyDecisions} claims decided during the outage)`,
    );

    let decided = await decidedSoFar();
    const deadline = returnedAt + 10 * DECIDE_TARGET_MS;
    while (Date.now() < deadline && decided < CLAIMS) {
      await sleep(500);
      decided = await decidedSoFar();
    }
    const decideAfterReturnMs = Date.now() - returnedAt;
    const rows = await db.claim.findMany({
      where: { id: { in: ids } },
      select: { status: true, verificationMethod: true, evidence: true },
    });
    const creditedWithoutEvidence = rows.filter(
      (row) =>
        row.status === 'VERIFIED' &&
        (row.evidence === null || (row.verificationMethod !== 'TENANT_META_API' && row.verificationMethod !== 'PLATFORM_META_API')),
    ).length;
    const failed = rows.filter((row) => row.status === 'FAILED').length;
    const pending = rows.filter((row) => row.status === 'PENDING').length;
    figure(
      `${CLAIMS} claims through a ${OUTAGE_MS / 1000} s outage on ${cpus().length} cores: ${creditedWithoutEvidence} credited without evidence (target 0), ${failed} FAILED (target 0), ${pending} still PENDING`,
    );
    figure(
      `all decided ${(decideAfterReturnMs / 1000).toFixed(1)} s after Meta's return (target ≤ ${DECIDE_TARGET_MS / 1000} s; ${decided} of ${CLAIMS} decided when measured); ${earlyDecisions} decided during the outage`,
    );
    return { creditedWithoutEvidence, failed, decideAfterReturnMs };
  } finally {
    await system.stop();
    await fakeMeta.close();
    await stopTestPostgres();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runMetaOutageBench().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
