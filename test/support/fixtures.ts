// Setup many test files repeat, in one place: tenants with an admin token, rows seeded straight
// into the database (campaign, task, end user), and a fake Meta wired to a test system or to a
// Graph client of our own.
import type { Database } from '../../src/db/client.js';
import type { Prisma } from '../../src/generated/prisma/client.js';
import { createGraphClient, type GraphClient } from '../../src/integrations/meta/graph-client.js';
import { startFakeMeta, type FakeMeta } from '../fakes/fake-meta.js';
import type { TestSystem } from './system.js';
import { tokens } from './tokens.js';

export interface TwoTenants {
  readonly tenantId: string;
  /** Another tenant, for isolation checks */
  readonly otherTenantId: string;
  /** A tenant_admin token of `tenantId` */
  readonly admin: string;
}

/** Two tenants created through POST /api/v1/tenants, and an admin token of the first. */
export async function createTwoTenants(system: TestSystem, slug: string, otherSlug: string): Promise<TwoTenants> {
  const tenantId = await system.createTenant(slug);
  const otherTenantId = await system.createTenant(otherSlug);
  return { tenantId, otherTenantId, admin: tokens.tenantAdmin(tenantId) };
}

/** A campaign row of `tenantId` (named "Main" unless `data` says otherwise). */
export function seedCampaign(db: Database, tenantId: string, data: Partial<Prisma.CampaignUncheckedCreateInput> = {}) {
  return db.campaign.create({ data: { tenantId, name: 'Main', ...data } });
}

/** An Instagram follow task row "Follow" of the campaign; `data` sets its reward, strategy and the rest. */
export function seedTask(
  db: Database,
  tenantId: string,
  campaignId: string,
  data: Partial<Prisma.SocialMediaTaskUncheckedCreateInput> & { spinsReward: number },
) {
  return db.socialMediaTask.create({
    data: { tenantId, campaignId, title: 'Follow', platform: 'INSTAGRAM', actionType: 'FOLLOW', ...data },
  });
}

/**
 * End-user rows with distinct phones: `${phonePrefix}0001`, `${phonePrefix}0002`, … (a prefix of
 * + and 7 digits makes an E.164 number), named `${namePrefix}1`, `${namePrefix}2`, …
 */
export function endUserSeeder(db: () => Database, phonePrefix: string, namePrefix = 'User ') {
  let count = 0;
  return (tenantId: string, data: Partial<Prisma.EndUserUncheckedCreateInput> = {}) => {
    count++;
    return db().endUser.create({
      data: {
        tenantId,
        name: `${namePrefix}${count}`,
        phone: `${phonePrefix}${String(count).padStart(4, '0')}`,
        whatsappOptInAt: new Date(),
        whatsappOptInSource: 'test-fixture',
        ...data,
      },
    });
  };
}

/** The env that points a test system (API and worker) at a fake Meta: Graph URL, app id, app secret. */
export function fakeMetaEnv(fake: FakeMeta) {
  return { META_GRAPH_BASE_URL: fake.url, META_APP_ID: fake.appId, META_APP_SECRET: fake.appSecret };
}

/** A fresh fake Meta and a Graph client of ours talking to it (app id and secret set, 2 s timeout). */
export async function startFakeMetaWithClient(appSecret: string): Promise<{ fake: FakeMeta; client: GraphClient }> {
  const fake = await startFakeMeta({ appSecret });
  return { fake, client: createGraphClient({ ...fake.clientOptions, timeoutMs: 2_000 }) };
}
