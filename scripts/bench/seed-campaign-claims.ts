// Seeds a campaign with many claims in a few SQL statements (generate_series): end users, one
// claim per (task, user), a realistic mix of statuses, reasons, methods, channels and times. Used
// by the tenant-stats bench phase and by tests that need volume.
import type { Database } from '../../src/db/client.js';

export interface SeededCampaign {
  readonly tenantId: string;
  readonly campaignId: string;
  readonly taskIds: readonly string[];
  readonly claims: number;
}

/** `claims` claims over `tasks` tasks (claims / tasks end users, each claiming every task). */
export async function seedCampaignClaims(
  db: Database,
  options: { tenantId: string; claims: number; tasks?: number; label?: string },
): Promise<SeededCampaign> {
  const { tenantId } = options;
  const taskCount = options.tasks ?? 10;
  const users = Math.ceil(options.claims / taskCount);
  const label = options.label ?? 'seed';
  const campaign = await db.campaign.create({ data: { tenantId, name: `Campaign ${label}` } });
  const taskIds: string[] = [];
  for (let index = 0; index < taskCount; index++) {
    const task = await db.socialMediaTask.create({
      data: {
        tenantId,
        campaignId: campaign.id,
        title: `Task ${index + 1}`,
        platform: index % 2 === 0 ? 'INSTAGRAM' : 'FACEBOOK',
        actionType: index % 2 === 0 ? 'COMMENT' : 'LIKE',
        spinsReward: 1 + (index % 3),
        verificationStrategy: 'META_API',
      },
    });
    taskIds.push(task.id);
  }
  await db.$executeRaw`
    INSERT INTO "EndUser" (id, "tenantId", name, phone, "instagramUsername", "updatedAt")
    SELECT gen_random_uuid()::text, ${tenantId}, 'Bench user ' || i, '+58' || lpad(i::text, 9, '0') || '', 'bench_' || ${label} || '_' || i, now()
      FROM generate_series(1, ${users}::int) AS i
    ON CONFLICT DO NOTHING`;
  // h (0..999) picks each claim's outcome deterministically from its row number. One statement per
  // task keeps each under the connection's statement timeout on a loaded machine.
  for (const [taskIndex, taskId] of taskIds.entries()) {
    const perTask = Math.min(users, options.claims - taskIndex * users);
    if (perTask <= 0) break;
    await db.$executeRaw`
    INSERT INTO "SocialTaskCompletion" (id, "tenantId", "campaignId", "taskId", "userId", status, reason, handle, "claimedAt",
      "verifiedAt", "verificationMethod", "spinsAwarded", "workflowId", "workflowStartedAt", "notificationStatus",
      "notificationSentAt", "notificationChannel", "notificationProviderMessageId", "updatedAt")
    SELECT s.id, ${tenantId}, ${campaign.id}, s."taskId", s."userId",
           s.status::"CompletionStatus",
           CASE WHEN s.status = 'VERIFIED' THEN (CASE WHEN s.h % 4 = 0 THEN 'APPROVED_BY_SAMPLING' ELSE 'VERIFIED_BY_META' END)
                WHEN s.status = 'FAILED' THEN (CASE WHEN s.h % 2 = 0 THEN 'NOT_FOUND_ON_POST' ELSE 'EVIDENCE_ALREADY_USED' END)
                ELSE NULL END,
           s.handle, s."claimedAt",
           CASE WHEN s.status <> 'PENDING' THEN s."claimedAt" + make_interval(secs => 300 + s.h % 120) END,
           CASE WHEN s.status = 'PENDING' THEN NULL WHEN s.h % 4 = 0 THEN 'STATISTICAL' ELSE 'TENANT_META_API' END::"VerificationMethod",
           CASE WHEN s.status = 'VERIFIED' THEN s.reward ELSE 0 END,
           'claim-' || s.id, s."claimedAt",
           s.notification::"NotificationStatus",
           CASE WHEN s.notification IN ('SENT', 'DELIVERED', 'READ', 'FAILED') THEN s."claimedAt" + make_interval(secs => 420 + s.h % 600) END,
           CASE WHEN s.notification IN ('SENT', 'DELIVERED', 'READ', 'FAILED') THEN (CASE WHEN s.h % 5 = 0 THEN 'TENANT_PROVIDER' ELSE 'WHATSAPP_CLOUD' END) END::"NotificationChannel",
           CASE WHEN s.notification IN ('SENT', 'DELIVERED', 'READ', 'FAILED') THEN 'wamid.' || s.id END,
           now()
      FROM (
        SELECT gen_random_uuid()::text AS id, t.id AS "taskId", u.id AS "userId", t."spinsReward" AS reward, u."instagramUsername" AS handle,
               now() - make_interval(secs => (n % 86400)) AS "claimedAt", n % 1000 AS h,
               CASE WHEN n % 1000 < 800 THEN 'VERIFIED' WHEN n % 1000 < 920 THEN 'FAILED' ELSE 'PENDING' END AS status,
               CASE WHEN n % 1000 >= 800 THEN 'PENDING'
                    WHEN n % 10 < 4 THEN 'READ' WHEN n % 10 < 7 THEN 'DELIVERED' WHEN n % 10 < 8 THEN 'SENT'
                    WHEN n % 20 = 8 THEN 'FAILED' WHEN n % 20 = 18 THEN 'SKIPPED' ELSE 'WAITING_FOR_WINDOW' END AS notification
          FROM (SELECT u.*, (row_number() OVER () * 7919 + ${taskIndex + 1}::int * 104729) AS n FROM "EndUser" u
                 WHERE u."tenantId" = ${tenantId} AND u."instagramUsername" LIKE ${`bench_${label}_%`}) u
          CROSS JOIN (SELECT * FROM "SocialMediaTask" WHERE id = ${taskId}) t
         LIMIT ${perTask}::int
      ) s`;
  }
  await db.$executeRawUnsafe('ANALYZE "SocialTaskCompletion"');
  await db.$executeRawUnsafe('ANALYZE "EndUser"');
  return { tenantId, campaignId: campaign.id, taskIds, claims: options.claims };
}
