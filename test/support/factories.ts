// Everything tests seed, in one place: tenants, campaigns, tasks, end users and claims written
// straight into the database, the same set up through the API (a tenant with a provider, users
// with session tokens, a claim), and a fake Meta wired to a test system or a Graph client of ours.
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { createClaimActivities } from '../../activities/claims.js';
import { createNotificationActivities } from '../../activities/notifications.js';
import type { AppConfig } from '../../src/config.js';
import { createSecretBox, type SecretBox } from '../../src/crypto/secret-box.js';
import type { Database } from '../../src/db/client.js';
import type { Prisma } from '../../src/generated/prisma/client.js';
import { graphClientFromConfig } from '../../src/integrations/meta/graph-client-from-config.js';
import { createGraphClient, type GraphClient } from '../../src/integrations/meta/graph-client.js';
import { claimWorkflowId } from '../../workflows/definitions.js';
import { startFakeMeta, type FakeMeta } from '../fakes/fake-meta.js';
import type { FakeWhatsappProvider } from '../fakes/fake-whatsapp-provider.js';
import { eventually } from './eventually.js';
import type { TestSystem } from './system.js';
import { tokens } from './tokens.js';

// ---------------------------------------------------------------- rows in the database

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

/**
 * A Facebook Page connected to the Instagram account, with a Page token that may subscribe it to
 * webhooks. Stored beside the Instagram credentials, Meta delivers the account's comment webhooks
 * (replies on older threads come only that way), so a miss in its comment index means "not there".
 */
export function instagramWebhookPage(fake: FakeMeta, instagramAccountId: string): { facebookPageId: string; facebookToken: string } {
  const page = fake.addPage({ name: 'Webhooks', instagramAccountId });
  const token = fake.addPageToken(page.id, {
    scopes: ['pages_read_engagement', 'pages_read_user_content', 'pages_show_list', 'pages_manage_metadata'],
  });
  return { facebookPageId: page.id, facebookToken: token.token };
}

/** Waits until the tenant's Meta webhook subscription (started by its settings write) is SUBSCRIBED. */
export async function webhooksSubscribed(system: TestSystem, adminToken: string): Promise<void> {
  await eventually(async () => {
    const settings = await system.request('GET', '/api/v1/tenant/settings', { token: adminToken });
    return settings.body.webhookSubscription?.status === 'SUBSCRIBED';
  }, 'the Meta webhook subscription');
}

/** A fresh fake Meta and a Graph client of ours talking to it (app id and secret set, 2 s timeout). */
export async function startFakeMetaWithClient(appSecret: string): Promise<{ fake: FakeMeta; client: GraphClient }> {
  const fake = await startFakeMeta({ appSecret });
  return { fake, client: createGraphClient({ ...fake.clientOptions, timeoutMs: 2_000 }) };
}

export async function seedTenant(db: Database) {
  const slug = `wh-${randomUUID().slice(0, 8)}`;
  return db.tenant.create({ data: { name: slug, slug } });
}

export async function seedAccount(
  db: Database,
  secrets: SecretBox,
  input: { tenantId: string; wabaId: string; phoneNumberId: string; displayPhoneNumber: string; connectedAt?: Date },
) {
  return db.whatsappAccount.create({
    data: {
      ...input,
      verifiedName: 'Test Shop',
      accessToken: secrets.seal(`token-${input.phoneNumberId}`),
      qualityRating: 'GREEN',
      scopes: ['whatsapp_business_messaging', 'whatsapp_business_management'],
      connectedAt: input.connectedAt ?? new Date('2024-01-01T00:00:00Z'),
    },
  });
}

export async function seedEndUser(db: Database, tenantId: string, phone: string, lastInboundAt: Date | null = null) {
  return db.endUser.create({
    data: { tenantId, name: `User ${phone.slice(-4)}`, phone, lastInboundAt, whatsappOptInAt: new Date(), whatsappOptInSource: 'test-fixture' },
  });
}

/**
 * A verified claim of `userId` (own campaign and task) whose notification is in the given state.
 * Pass `campaign` to notify through a WhatsApp account with a template.
 */
export async function seedNotification(
  db: Database,
  input: {
    tenantId: string;
    userId: string;
    notificationStatus?: 'PENDING' | 'SENDING' | 'SENT' | 'DELIVERED' | 'READ' | 'FAILED' | 'UNKNOWN';
    providerMessageId?: string | null;
    channel?: 'WHATSAPP_CLOUD' | 'TENANT_PROVIDER' | 'PLATFORM_PROVIDER' | null;
    notificationError?: string | null;
    campaign?: { whatsappAccountId: string; notificationTemplateName: string; notificationTemplateLanguage: string };
  },
) {
  const campaign = await db.campaign.create({
    data: {
      tenantId: input.tenantId,
      name: 'Webhook campaign',
      notificationStartHour: 0,
      notificationEndHour: 0,
      ...(input.campaign ?? {}),
    },
  });
  const task = await db.socialMediaTask.create({
    data: {
      tenantId: input.tenantId,
      campaignId: campaign.id,
      title: 'Comment on our post',
      platform: 'INSTAGRAM',
      actionType: 'COMMENT',
      spinsReward: 3,
    },
  });
  const id = randomUUID();
  const status = input.notificationStatus ?? 'SENT';
  return db.claim.create({
    data: {
      id,
      tenantId: input.tenantId,
      campaignId: campaign.id,
      taskId: task.id,
      userId: input.userId,
      status: 'VERIFIED',
      verifiedAt: new Date(),
      verificationMethod: 'HONOR_SYSTEM',
      spinsAwarded: 3,
      workflowId: `claim-${id}`,
      workflowStartedAt: new Date(),
      notificationStatus: status,
      notificationProviderMessageId: input.providerMessageId ?? null,
      notificationChannel: input.channel === undefined ? (input.providerMessageId ? 'WHATSAPP_CLOUD' : null) : input.channel,
      notificationSentAt: ['SENT', 'DELIVERED', 'READ'].includes(status) ? new Date() : null,
      notificationError: input.notificationError ?? null,
    },
  });
}

export interface SeededClaim {
  tenantId: string;
  campaignId: string;
  taskId: string;
  userId: string;
  claimId: string;
}

/** A tenant whose custom WhatsApp provider is `providerUrl`, with one campaign, task, user and claim. */
export async function seedClaim(
  db: Database,
  secrets: SecretBox,
  options: {
    providerUrl?: string;
    providerKey?: string;
    tenantTimezone?: string;
    campaign?: Partial<{
      timezone: string | null;
      notificationEnabled: boolean;
      notificationStartHour: number;
      notificationEndHour: number;
      endsAt: Date | null;
    }>;
    task?: Partial<{
      platform: 'INSTAGRAM' | 'FACEBOOK' | 'TIKTOK' | 'TWITTER';
      actionType: 'FOLLOW' | 'LIKE' | 'COMMENT' | 'SHARE' | 'MENTION';
      targetId: string | null;
      verificationStrategy: 'META_API' | 'HONOR_SYSTEM' | 'STATISTICAL' | 'MANUAL';
      fallbackStrategy: 'HONOR_SYSTEM' | 'STATISTICAL' | 'MANUAL';
      statisticalApprovalRate: number;
      spinsReward: number;
    }>;
    metaConfig?: Record<string, string>;
    handle?: string;
  } = {},
): Promise<SeededClaim> {
  const slug = `t-${randomUUID().slice(0, 8)}`;
  const tenant = await db.tenant.create({
    data: {
      name: slug,
      slug,
      timezone: options.tenantTimezone ?? 'UTC',
      waConfig: options.providerUrl
        ? secrets.sealJson({ apiUrl: options.providerUrl, apiKey: options.providerKey ?? 'tenant-key', sender: 'Acme' })
        : null,
      metaConfig: options.metaConfig ? secrets.sealJson(options.metaConfig) : null,
      // Seeded claims may fall through to the platform's provider, as a platform admin would allow.
      platformWhatsappAllowed: true,
    },
  });
  const campaign = await db.campaign.create({
    data: { tenantId: tenant.id, name: 'Summer', notificationStartHour: 0, notificationEndHour: 0, ...options.campaign },
  });
  const task = await db.socialMediaTask.create({
    data: {
      tenantId: tenant.id,
      campaignId: campaign.id,
      title: 'Comment on our post',
      platform: 'INSTAGRAM',
      actionType: 'COMMENT',
      spinsReward: 3,
      verificationStrategy: 'HONOR_SYSTEM',
      ...options.task,
    },
  });
  const user = await db.endUser.create({
    data: {
      tenantId: tenant.id,
      name: 'Ana',
      phone: '+51987654321',
      instagramUsername: 'ana.ig',
      whatsappOptInAt: new Date(),
      whatsappOptInSource: 'test-fixture',
    },
  });
  const claimId = randomUUID();
  await db.claim.create({
    data: {
      id: claimId,
      tenantId: tenant.id,
      campaignId: campaign.id,
      taskId: task.id,
      userId: user.id,
      workflowId: claimWorkflowId(claimId),
      handle: options.handle ?? null,
    },
  });
  return { tenantId: tenant.id, campaignId: campaign.id, taskId: task.id, userId: user.id, claimId };
}

/** Records `completionId` verified by the honour system, as the claim workflow's verification step does. */
export function verifyByHonorSystem(db: Database, claimId: string) {
  return createClaimActivities({ db }).completeVerification(
    claimId,
    { kind: 'decided', verified: true, method: 'HONOR_SYSTEM' },
    new Date().toISOString(),
  );
}

/** A claim of seedClaim, verified (3 spins): as the workflow leaves it before notifying. */
export async function seedVerifiedClaim(db: Database, secrets: SecretBox, options: Parameters<typeof seedClaim>[2] = {}): Promise<SeededClaim> {
  const claim = await seedClaim(db, secrets, options);
  await verifyByHonorSystem(db, claim.claimId);
  return claim;
}

/** The notification activities over `db`, with `config`'s secret box and Graph client, logging nothing. */
export function notificationActivitiesFor(config: AppConfig, db: Database) {
  return createNotificationActivities({
    config,
    db,
    secrets: createSecretBox([config.tokenEncryptionKey]),
    logger: pino({ level: 'silent' }),
    graph: graphClientFromConfig(config),
  });
}

// ---------------------------------------------------------------- through the API

export interface ScenarioTenant {
  readonly id: string;
  readonly adminToken: string;
  readonly campaignId: string;
  readonly taskId: string;
}

export interface ScenarioUser {
  readonly id: string;
  readonly phone: string;
  readonly token: string;
}

let phoneCounter = 0;

export async function setUpScenarioTenant(
  system: TestSystem,
  init: {
    slug: string;
    /** Set up inside a tenant the test created itself (e.g. to add rows first) */
    existingTenantId?: string;
    provider?: FakeWhatsappProvider;
    campaign?: Record<string, unknown>;
    task?: Record<string, unknown>;
  },
): Promise<ScenarioTenant> {
  const tenantId = init.existingTenantId ?? (await system.createTenant(init.slug));
  const adminToken = tokens.tenantAdmin(tenantId);
  if (init.provider) {
    const settings = await system.request('PUT', '/api/v1/tenant/settings', {
      token: adminToken,
      body: { waConfig: { apiUrl: init.provider.sendUrl, apiKey: init.provider.apiKey, sender: init.slug } },
    });
    if (settings.status !== 200) throw new Error(`settings: ${settings.status} ${settings.text}`);
  }
  // start == end: the window is always open unless the test says otherwise.
  const campaign = await system.request('POST', '/api/v1/campaigns', {
    token: adminToken,
    body: { name: `${init.slug} campaign`, notificationStartHour: 6, notificationEndHour: 6, ...init.campaign },
  });
  if (campaign.status !== 201) throw new Error(`campaign: ${campaign.status} ${campaign.text}`);
  const task = await system.request('POST', `/api/v1/campaigns/${campaign.body.id}/tasks`, {
    token: adminToken,
    body: { title: 'Follow us', platform: 'INSTAGRAM', actionType: 'FOLLOW', spinsReward: 4, verificationStrategy: 'HONOR_SYSTEM', ...init.task },
  });
  if (task.status !== 201) throw new Error(`task: ${task.status} ${task.text}`);
  return { id: tenantId, adminToken, campaignId: campaign.body.id, taskId: task.body.id };
}

export async function newScenarioUser(system: TestSystem, tenant: ScenarioTenant, name = 'Ana'): Promise<ScenarioUser> {
  phoneCounter += 1;
  const phone = `+5198711${String(phoneCounter).padStart(4, '0')}`;
  const created = await system.request('POST', '/api/v1/end-users', {
    token: tenant.adminToken,
    body: { name, phone, whatsappOptIn: { source: 'test-fixture' } },
  });
  if (created.status !== 201) throw new Error(`end user: ${created.status} ${created.text}`);
  return { id: created.body.id, phone, token: tokens.endUser(tenant.id, created.body.id) };
}

export async function claimTask(system: TestSystem, user: ScenarioUser, taskId: string): Promise<string> {
  const response = await system.request('POST', `/api/v1/tasks/${taskId}/claims`, { token: user.token, body: {} });
  if (response.status !== 202) throw new Error(`claim: ${response.status} ${response.text}`);
  return response.body.completionId as string;
}

/** Polls the admin view until `done` holds. */
export function settleClaim(system: TestSystem, tenant: ScenarioTenant, claimId: string, done: (view: any) => boolean, what: string) {
  return eventually(
    async () => {
      const view = await system.request('GET', `/api/v1/completions/${claimId}`, { token: tenant.adminToken });
      return view.status === 200 && done(view.body) ? view.body : undefined;
    },
    what,
    45_000,
  );
}

let claimantCounter = 0;

/** A new end user named `handle`, created through the API, claims `taskId` naming `handle`: the claim id. */
export async function claimAsNewUser(
  system: TestSystem,
  tenant: { id: string; adminToken: string },
  taskId: string,
  handle: string,
): Promise<string> {
  claimantCounter += 1;
  const user = await system.request('POST', '/api/v1/end-users', {
    token: tenant.adminToken,
    body: { name: handle, phone: `+5196${String(1_000_000 + claimantCounter)}` },
  });
  if (user.status !== 201) throw new Error(`end user: ${user.status} ${user.text}`);
  const claimed = await system.request('POST', `/api/v1/tasks/${taskId}/claims`, {
    token: tokens.endUser(tenant.id, user.body.id),
    body: { handle },
  });
  if (claimed.status !== 202) throw new Error(`claim: ${claimed.status} ${claimed.text}`);
  return claimed.body.completionId;
}

/** The tenant's comment webhooks are on for the Instagram account (as after a settings write): a miss in the index is "not there". */
export async function instagramWebhooksActive(db: Database, tenantId: string, instagramAccountId: string): Promise<void> {
  await db.metaWebhookSubscription.create({
    data: {
      ownerKey: `tenant:${tenantId}`,
      tenantId,
      status: 'SUBSCRIBED',
      details: [{ object: 'instagram', id: instagramAccountId, fields: ['comments', 'mentions'], status: 'SUBSCRIBED' }],
    },
  });
}

/**
 * Through the API: the tenant's Instagram account with one media, its token, and the Facebook Page
 * that subscribes its comment webhooks, stored as the tenant's Meta settings; waits until the
 * subscription is SUBSCRIBED, so a miss in the comment index is "not there".
 */
export async function connectInstagramWithWebhooks(system: TestSystem, fake: FakeMeta, adminToken: string) {
  const account = fake.addInstagramAccount({ username: 'acme.store' });
  const mediaId = fake.addInstagramMedia({ ownerId: account.id }).id;
  const token = fake.addToken({ scopes: ['instagram_basic', 'instagram_manage_comments'], assets: [account.id, mediaId] });
  const webhookPage = instagramWebhookPage(fake, account.id);
  const settings = await system.request('PUT', '/api/v1/tenant/settings', {
    token: adminToken,
    body: { timezone: 'UTC', waConfig: null, metaConfig: { instagramAccountId: account.id, instagramToken: token.token, ...webhookPage } },
  });
  if (settings.status !== 200) throw new Error(`settings: ${settings.status} ${settings.text}`);
  await webhooksSubscribed(system, adminToken);
  return { instagramAccountId: account.id, mediaId, facebookPageId: webhookPage.facebookPageId };
}
