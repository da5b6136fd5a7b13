// The demo tenant for `npm run dev`: created once, when the database has no tenant yet.
import type { Database } from '../db/client.js';

export const DEMO_SLUG = 'demo-coffee';

export interface DemoIds {
  tenantId: string;
  campaignId: string;
  endUserId: string;
  taskIds: Record<string, string>;
}

export async function seedDemoTenant(db: Database): Promise<{ created: boolean; ids: DemoIds }> {
  // Only an empty database gets the demo; otherwise show the demo (or the oldest) tenant.
  const existing = (await db.tenant.findUnique({ where: { slug: DEMO_SLUG } })) ?? (await db.tenant.findFirst({ orderBy: { createdAt: 'asc' } }));
  if (existing) return { created: false, ids: await demoIds(db, existing.id) };
  await db.$transaction(async (tx) => {
    // The dev sink is the platform's provider: the demo tenant is allowed to use it.
    const tenant = await tx.tenant.create({
      data: { name: 'Demo Coffee', slug: DEMO_SLUG, timezone: 'America/Lima', platformWhatsappAllowed: true },
    });
    const campaign = await tx.campaign.create({
      data: { tenantId: tenant.id, name: 'Summer spins', notificationStartHour: 0, notificationEndHour: 0 },
    });
    const tasks = [
      {
        title: 'Comment on our Instagram post',
        platform: 'INSTAGRAM',
        actionType: 'COMMENT',
        verificationStrategy: 'META_API',
        fallbackStrategy: 'HONOR_SYSTEM',
        spinsReward: 3,
        targetId: '17900000000000001',
      },
      {
        title: 'Follow us on Instagram',
        platform: 'INSTAGRAM',
        actionType: 'FOLLOW',
        verificationStrategy: 'HONOR_SYSTEM',
        fallbackStrategy: 'STATISTICAL',
        spinsReward: 1,
      },
      {
        title: 'Share our TikTok',
        platform: 'TIKTOK',
        actionType: 'SHARE',
        verificationStrategy: 'STATISTICAL',
        fallbackStrategy: 'STATISTICAL',
        spinsReward: 2,
      },
      {
        title: 'Comment on our Facebook post',
        platform: 'FACEBOOK',
        actionType: 'COMMENT',
        verificationStrategy: 'MANUAL',
        fallbackStrategy: 'MANUAL',
        spinsReward: 5,
      },
    ] as const;
    for (const task of tasks) await tx.socialMediaTask.create({ data: { tenantId: tenant.id, campaignId: campaign.id, ...task } });
    await tx.endUser.create({
      data: {
        tenantId: tenant.id,
        name: 'Ana Cruz',
        phone: '+51987654321',
        instagramUsername: 'ana.cruz',
        whatsappOptInAt: new Date(),
        whatsappOptInSource: 'dev-demo',
      },
    });
  });
  const tenant = await db.tenant.findUniqueOrThrow({ where: { slug: DEMO_SLUG } });
  return { created: true, ids: await demoIds(db, tenant.id) };
}

async function demoIds(db: Database, tenantId: string): Promise<DemoIds> {
  const campaign = await db.campaign.findFirst({ where: { tenantId }, orderBy: { createdAt: 'asc' } });
  const endUser = await db.endUser.findFirst({ where: { tenantId }, orderBy: { createdAt: 'asc' } });
  const tasks = campaign ? await db.socialMediaTask.findMany({ where: { campaignId: campaign.id }, orderBy: { createdAt: 'asc' } }) : [];
  return {
    tenantId,
    campaignId: campaign?.id ?? '',
    endUserId: endUser?.id ?? '',
    taskIds: Object.fromEntries(tasks.map((task) => [task.title, task.id])),
  };
}
