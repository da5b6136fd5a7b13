// Verification at campaign scale, measured: Graph reads per claim and verification throughput for
// a post with BENCH_COMMENTS comments (default 10,000, paged 50 at a time like Instagram) and
// BENCH_CLAIMS claims (default 1,000: 95 % genuine commenters, early and recent, 5 % who did not
// comment). Its own stack: embedded PostgreSQL, the Temporal dev server, the real API and worker,
// the fake Meta over HTTP. Target: ≤ 0.3 Graph reads per claim.
//   npx tsx scripts/bench-verification.ts
import { cpus } from 'node:os';
import { startFakeMeta } from '../test/fakes/fake-meta.js';
import { instagramWebhookPage, webhooksSubscribed } from '../test/support/factories.js';
import { startTestPostgres } from '../test/support/start-test-postgres.js';
import { stopTestPostgres } from '../test/support/stop-test-postgres.js';
import { startTestSystem } from '../test/support/system.js';
import { tokens } from '../test/support/tokens.js';

const COMMENTS = Number(process.env.BENCH_COMMENTS ?? 10_000);
const CLAIMS = Number(process.env.BENCH_CLAIMS ?? 1_000);
const PARALLEL_REQUESTS = 25;

await startTestPostgres();
const fakeMeta = await startFakeMeta({ appSecret: 'bench-secret' });
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
  const tenantId = await system.createTenant('bench');
  const admin = tokens.tenantAdmin(tenantId);
  const account = fakeMeta.addInstagramAccount({ username: 'bench.store' });
  const media = fakeMeta.addInstagramMedia({ ownerId: account.id });
  const igToken = fakeMeta.addToken({ scopes: ['instagram_basic'] }).token;
  // With the Page connected to the account, Meta delivers its comment webhooks: a miss is NOT_FOUND.
  await system.request('PUT', '/api/v1/tenant/settings', {
    token: admin,
    body: {
      timezone: 'UTC',
      waConfig: null,
      metaConfig: { instagramAccountId: account.id, instagramToken: igToken, ...instagramWebhookPage(fakeMeta, account.id) },
    },
  });
  await webhooksSubscribed(system, admin);
  const campaign = await system.request('POST', '/api/v1/campaigns', { token: admin, body: { name: 'Bench', notificationEnabled: false } });
  const task = await system.request('POST', `/api/v1/campaigns/${campaign.body.id}/tasks`, {
    token: admin,
    body: { title: 'Comment', platform: 'INSTAGRAM', actionType: 'COMMENT', targetId: media.id, spinsReward: 1, verificationStrategy: 'META_API' },
  });
  if (task.status !== 201) throw new Error(`task: ${task.status} ${task.text}`);

  // Genuine claimants spread over the whole history (half among the oldest comments).
  const genuine = Math.round(CLAIMS * 0.95);
  const claimants = Array.from({ length: CLAIMS }, (_, i) => `bench.fan${i}`);
  const authors = Array.from({ length: COMMENTS }, (_, i) => `crowd${i}`);
  claimants.slice(0, genuine).forEach((handle, i) => {
    authors[i % 2 === 0 ? i : COMMENTS - 1 - i] = handle;
  });
  // A campaign that has run for a while: one comment a second since the task went up (the task's
  // creation time is moved back accordingly; evidence must postdate it).
  const start = Date.now() - COMMENTS * 1_000;
  await db.socialMediaTask.update({ where: { id: task.body.id }, data: { createdAt: new Date(start - 60_000) } });
  authors.forEach((username, i) => {
    fakeMeta.addInstagramComment(media.id, { username, atMs: start + i * 1_000 });
  });

  const reads = () => fakeMeta.graphRequests({ method: 'GET' }).filter((r) => /\/(comments|replies)$/.test(r.path)).length;
  const readsBefore = reads();
  const began = Date.now();
  const ids: string[] = [];
  for (let i = 0; i < claimants.length; i += PARALLEL_REQUESTS) {
    ids.push(
      ...(await Promise.all(
        claimants.slice(i, i + PARALLEL_REQUESTS).map(async (handle, j) => {
          const user = await system.request('POST', '/api/v1/end-users', {
            token: admin,
            body: { name: handle, phone: `+5196${String(1_000_000 + i + j)}` },
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
  const claimedIn = Date.now() - began;
  let rows;
  for (;;) {
    rows = await db.claim.findMany({
      where: { id: { in: ids } },
      select: { status: true, reason: true, claimedAt: true, verifiedAt: true },
    });
    if (rows.every((row) => row.status !== 'PENDING')) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const decidedIn = Date.now() - began;
  const verified = rows.filter((row) => row.status === 'VERIFIED').length;
  const notFound = rows.filter((row) => row.reason === 'NOT_FOUND_ON_POST').length;
  const used = reads() - readsBefore;
  const target = await db.commentIndexTarget.findFirstOrThrow({ where: { tenantId } });
  const firstVerify = Math.min(...rows.map((row) => row.claimedAt.getTime())) + system.config.claimVerifyDelayMs;
  const lastDecision = Math.max(...rows.map((row) => row.verifiedAt?.getTime() ?? 0));
  console.log(`verification bench (${cpus().length} cores): ${COMMENTS} comments (50 per page), ${CLAIMS} claims (${genuine} genuine)`);
  console.log(`  verified ${verified}/${genuine} genuine, not found ${notFound}/${CLAIMS - genuine} non-commenters`);
  console.log(
    `  Graph comment reads: ${used} for ${CLAIMS} claims = ${(used / CLAIMS).toFixed(3)} per claim (target ≤ 0.3); ${target.crawls} crawls`,
  );
  console.log(
    `  throughput: ${(CLAIMS / Math.max(1, (lastDecision - firstVerify) / 1000)).toFixed(1)} claims/s verified (first verify → last decision ${((lastDecision - firstVerify) / 1000).toFixed(1)} s); claims submitted in ${(claimedIn / 1000).toFixed(1)} s, all decided after ${(decidedIn / 1000).toFixed(1)} s`,
  );
  if (verified !== genuine || notFound !== CLAIMS - genuine) process.exitCode = 1;
} finally {
  await system.stop();
  await fakeMeta.close();
  await stopTestPostgres();
}
