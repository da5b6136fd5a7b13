// A year of production history written straight into PostgreSQL with generate_series: the hot
// queries must stay on their indexes when the tables hold it (test/integration/hot-query-plans.test.ts)
// and the volume bench measures intake, drain and verification on top of it (scripts/bench/volume-soak.ts).
//
// What it writes, all of tenants named "hist-*" so nothing collides with the rows a test makes:
//   - `tenants` tenants, each with one campaign and TASKS_PER_TENANT Instagram comment tasks (each
//     with its comment-index target) and as many end users as the claims need;
//   - `claims` claims spread over the past year: 90 % verified and notified (SENT, DELIVERED or READ
//     over the Cloud API, a few COALESCED into a sibling), 10 % FAILED, each with its spin credit;
//   - per notified claim one processed webhook delivery and one applied delivery status;
//   - per verified claim the comment that proved it, and `bigPostComments` comments on one post.
import { createHash } from 'node:crypto';

export interface HistorySize {
  readonly claims: number;
  readonly tenants: number;
  /** Comments on the first tenant's first post, on top of one per verified claim */
  readonly bigPostComments: number;
}

export const TASKS_PER_TENANT = 5;

/** The first tenant's first post: the one with `bigPostComments` comments. */
export const BIG_POST = { tenantId: historyId('t', 1), targetId: 'hist-media-1-1', taskId: historyId('k', 1, 1) } as const;

/** The deterministic ids the seed uses (uuid-shaped, as the application's ids are). */
export function historyId(kind: string, ...parts: number[]): string {
  const hex = md5Hex(`${kind}-${parts.join('-')}`);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

// SQL twin of historyId: md5 → uuid text.
const sqlId = (kind: string, ...parts: string[]) => `md5('${kind}-' || ${parts.map((part) => `(${part})::text`).join(` || '-' || `)})::uuid::text`;

export function historyStatements(size: HistorySize): string[] {
  const T = size.tenants;
  const K = TASKS_PER_TENANT;
  const usersPerTenant = Math.max(1, Math.ceil(size.claims / (T * K)));
  // Claim n (0-based) is tenant 1 + n % T, task 1 + (n / T) % K, user 1 + n / (T K): unique per (task, user).
  const tenantOf = `(1 + n % ${T})`;
  const taskOf = `(1 + (n / ${T}) % ${K})`;
  const userOf = `(1 + n / ${T * K})`;
  const claimId = sqlId('c', 'n');
  const claimedAt = `(now() - interval '366 days' + (n::double precision / ${size.claims}) * interval '365 days')`;
  // 9 in 10 verified; of those, 1 in 20 coalesced into the previous claim of the same user and tenant.
  const verified = `(n % 10 <> 9)`;
  const coalesced = `(${verified} AND n % 20 = 3 AND n >= ${T * K})`;
  return [
    `INSERT INTO "Tenant" (id, name, slug, "updatedAt")
       SELECT ${sqlId('t', 'i')}, 'History ' || i, 'hist-' || i, now() FROM generate_series(1, ${T}) AS i`,
    `INSERT INTO "Campaign" (id, "tenantId", name, "notificationStartHour", "notificationEndHour", "createdAt", "updatedAt")
       SELECT ${sqlId('m', 'i')}, ${sqlId('t', 'i')}, 'A year', 0, 0, now() - interval '366 days', now() FROM generate_series(1, ${T}) AS i`,
    `INSERT INTO "SocialMediaTask" (id, "tenantId", "campaignId", title, platform, "actionType", "targetId", "spinsReward", "verificationStrategy", "createdAt", "updatedAt")
       SELECT ${sqlId('k', 'i', 'k')}, ${sqlId('t', 'i')}, ${sqlId('m', 'i')}, 'Comment ' || k, 'INSTAGRAM', 'COMMENT',
              'hist-media-' || i || '-' || k, 3, 'META_API', now() - interval '366 days', now()
         FROM generate_series(1, ${T}) AS i, generate_series(1, ${K}) AS k`,
    `INSERT INTO "CommentIndexTarget" (id, "tenantId", platform, "targetId", "completeThrough", "crawlWatermark", "readableAt", "lastCrawlAt", crawls, "updatedAt")
       SELECT ${sqlId('x', 'i', 'k')}, ${sqlId('t', 'i')}, 'INSTAGRAM', 'hist-media-' || i || '-' || k, now(), now(), now() - interval '366 days', now(), 100, now()
         FROM generate_series(1, ${T}) AS i, generate_series(1, ${K}) AS k`,
    `INSERT INTO "EndUser" (id, "tenantId", name, phone, "instagramUsername", "createdAt", "updatedAt")
       SELECT ${sqlId('u', 'i', 'u')}, ${sqlId('t', 'i')}, 'User ' || u, '+1' || lpad((i * ${usersPerTenant} + u)::text, 10, '0'),
              'hist.user.' || i || '.' || u, now() - interval '366 days', now()
         FROM generate_series(1, ${T}) AS i, generate_series(1, ${usersPerTenant}) AS u`,
    `INSERT INTO "SocialTaskCompletion" (id, "tenantId", "campaignId", "taskId", "userId", status, reason, handle, "claimedAt", "verifiedAt",
            "verificationMethod", evidence, "spinsAwarded", "workflowId", "workflowStartedAt", "notificationStatus", "notificationSentAt",
            "notificationChannel", "notificationProviderMessageId", "notificationAttemptedAt", "notificationAttemptId",
            "notificationCoalescedIntoId", "createdAt", "updatedAt")
       SELECT ${claimId}, ${sqlId('t', tenantOf)}, ${sqlId('m', tenantOf)}, ${sqlId('k', tenantOf, taskOf)}, ${sqlId('u', tenantOf, userOf)},
              (CASE WHEN ${verified} THEN 'VERIFIED' ELSE 'FAILED' END)::"CompletionStatus",
              CASE WHEN ${verified} THEN 'COMMENT_FOUND' ELSE 'NOT_FOUND' END,
              'hist.user.' || ${tenantOf} || '.' || ${userOf},
              ${claimedAt},
              ${claimedAt} + interval '1 minute',
              'TENANT_META_API'::"VerificationMethod",
              CASE WHEN ${verified} THEN jsonb_build_object('commentId', 'hist-comment-' || n) END,
              CASE WHEN ${verified} THEN 3 ELSE 0 END,
              'claim-' || ${claimId},
              ${claimedAt} + interval '50 milliseconds',
              (CASE WHEN NOT ${verified} THEN 'PENDING' WHEN ${coalesced} THEN 'COALESCED'
                    WHEN n % 3 = 0 THEN 'SENT' WHEN n % 3 = 1 THEN 'DELIVERED' ELSE 'READ' END)::"NotificationStatus",
              CASE WHEN ${verified} AND NOT ${coalesced} THEN ${claimedAt} + interval '2 minutes' END,
              CASE WHEN ${verified} AND NOT ${coalesced} THEN 'WHATSAPP_CLOUD'::"NotificationChannel" END,
              CASE WHEN ${verified} AND NOT ${coalesced} THEN 'wamid.hist-' || n END,
              CASE WHEN ${verified} THEN ${claimedAt} + interval '2 minutes' END,
              CASE WHEN ${verified} THEN md5('attempt-' || n)::uuid::text END,
              CASE WHEN ${coalesced} THEN ${sqlId('c', `n - ${T * K}`)} END,
              ${claimedAt}, ${claimedAt} + interval '2 minutes'
         FROM generate_series(0, ${size.claims - 1}) AS n`,
    `INSERT INTO "SpinCredit" (id, "tenantId", "userId", "completionId", amount, "createdAt")
       SELECT md5('s-' || id)::uuid::text, "tenantId", "userId", id, "spinsAwarded", "verifiedAt"
         FROM "SocialTaskCompletion" WHERE "notificationAttemptId" IS NOT NULL AND "evidence" ? 'commentId' AND "reason" = 'COMMENT_FOUND'`,
    `INSERT INTO "WebhookEvent" (id, "dedupeKey", object, payload, "tenantId", "receivedAt", "processedAt", result)
       SELECT md5('w-' || c.id)::uuid::text, md5('dedupe-' || c.id), 'whatsapp_business_account',
              jsonb_build_object('object', 'whatsapp_business_account', 'entry', jsonb_build_array(jsonb_build_object('changes',
                jsonb_build_array(jsonb_build_object('field', 'messages', 'value', jsonb_build_object('statuses',
                  jsonb_build_array(jsonb_build_object('id', c."notificationProviderMessageId", 'status', 'delivered')))))))),
              c."tenantId", c."notificationSentAt" + interval '5 seconds', c."notificationSentAt" + interval '6 seconds',
              jsonb_build_object('tenantIds', jsonb_build_array(c."tenantId"), 'byTenant', '{}'::jsonb)
         FROM "SocialTaskCompletion" c
        WHERE c."notificationProviderMessageId" LIKE 'wamid.hist-%'`,
    `INSERT INTO "MessageStatusEvent" (id, "providerMessageId", status, "occurredAt", "webhookEventId", "appliedAt", "createdAt")
       SELECT md5('s-' || c.id)::uuid::text, c."notificationProviderMessageId", 'delivered', c."notificationSentAt" + interval '4 seconds',
              md5('w-' || c.id)::uuid::text, c."notificationSentAt" + interval '6 seconds', c."notificationSentAt" + interval '6 seconds'
         FROM "SocialTaskCompletion" c
        WHERE c."notificationProviderMessageId" LIKE 'wamid.hist-%'`,
    ...commentStatements(size, tenantOf, taskOf, verified, claimedAt),
  ];
}

function commentStatements(size: HistorySize, tenantOf: string, taskOf: string, verified: string, claimedAt: string): string[] {
  const T = size.tenants;
  const userOf = `(1 + n / ${T * TASKS_PER_TENANT})`;
  return [
    // The comment that proved each verified claim, on its task's post.
    `INSERT INTO "IndexedComment" (id, "tenantId", "indexTargetId", "commentId", "authorName", "authorHandle", text, "createdTime", source, "createdAt", "updatedAt")
       SELECT md5('ic-' || n)::uuid::text, ${sqlId('t', tenantOf)}, ${sqlId('x', tenantOf, taskOf)}, 'hist-comment-' || n,
              'hist.user.' || ${tenantOf} || '.' || ${userOf}, 'hist.user.' || ${tenantOf} || '.' || ${userOf},
              'Love it', ${claimedAt}, 'CRAWL', ${claimedAt}, ${claimedAt}
         FROM generate_series(0, ${size.claims - 1}) AS n WHERE ${verified}`,
    // One post everybody commented on.
    `INSERT INTO "IndexedComment" (id, "tenantId", "indexTargetId", "commentId", "authorName", "authorHandle", text, "createdTime", source, "createdAt", "updatedAt")
       SELECT md5('big-' || j)::uuid::text, ${sqlId('t', '1')}, ${sqlId('x', '1', '1')}, 'hist-big-' || j, 'fan.' || j, 'fan.' || j,
              'So good', now() - (j || ' seconds')::interval, 'CRAWL', now() - (j || ' seconds')::interval, now()
         FROM generate_series(1, ${size.bigPostComments}) AS j`,
  ];
}

/** The tables the seed fills in bulk: their secondary indexes are built once after the load. */
const BULK_TABLES = ['EndUser', 'SocialTaskCompletion', 'SpinCredit', 'WebhookEvent', 'MessageStatusEvent', 'IndexedComment'];

interface SqlSession {
  query<R extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

/**
 * Fills the database through one session (a pg.Client: the settings below are per session). Like a
 * bulk load: foreign-key triggers off (the seed's ids are consistent by construction; needs a
 * superuser, as the test and bench databases have), secondary indexes dropped and rebuilt after,
 * then ANALYZE.
 */
export async function seedHistory(session: SqlSession, size: HistorySize): Promise<void> {
  const { rows: indexes } = await session.query<{ name: string; definition: string }>(
    `SELECT indexname AS name, indexdef AS definition FROM pg_indexes
      WHERE schemaname = 'public' AND tablename = ANY($1)
        AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype = 'p')`,
    [BULK_TABLES],
  );
  await session.query('SET session_replication_role = replica');
  for (const index of indexes) await session.query(`DROP INDEX "${index.name}"`);
  try {
    for (const statement of historyStatements(size)) await session.query(statement);
  } finally {
    await session.query("SET maintenance_work_mem = '256MB'");
    for (const index of indexes) await session.query(index.definition);
    await session.query('RESET session_replication_role');
  }
  await session.query('ANALYZE');
}

function md5Hex(text: string): string {
  return createHash('md5').update(text).digest('hex');
}
