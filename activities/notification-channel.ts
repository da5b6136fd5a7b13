// Which channel carries a claim's notification, first that applies:
//   1. the campaign's WhatsApp account (Cloud API, that account's token)
//   2. the tenant's custom provider (waConfig)
//   3. the tenant's default WhatsApp account (earliest connected, ACTIVE)
//   4. the platform's default provider, only for a tenant a platform admin allowed to use it
//      (Tenant.platformWhatsappAllowed), and within its daily quota (PLATFORM_WHATSAPP_DAILY_QUOTA):
//      otherwise the platform's number would relay whatever any tenant writes to any number
// Never another tenant's. An account of this tenant that needs re-authorisation holds the
// notification instead of quietly moving it to another sender; so does a used-up quota (until
// the next UTC day).
import type { AppConfig } from '../src/config.js';
import type { SecretBox } from '../src/crypto/secret-box.js';
import type { Database } from '../src/db/client.js';
import { openConfig, type WaConfig } from '../src/tenant-config/stored-configs.js';

export type ChannelChoice =
  | { kind: 'cloud'; accountId: string; phoneNumberId: string; sealedToken: string }
  | { kind: 'tenant_provider'; config: WaConfig }
  | { kind: 'platform_provider'; apiUrl: string; apiKey: string; instanceId: string | undefined }
  | { kind: 'hold'; reason: string }
  | { kind: 'none'; reason: string };

interface AccountRow {
  id: string;
  status: string;
  phoneNumberId: string;
  accessToken: string | null;
  displayPhoneNumber: string | null;
}

function usable(account: AccountRow): ChannelChoice | undefined {
  if (account.status === 'ACTIVE' && account.accessToken) {
    return { kind: 'cloud', accountId: account.id, phoneNumberId: account.phoneNumberId, sealedToken: account.accessToken };
  }
  if (account.status === 'NEEDS_REAUTH') {
    return { kind: 'hold', reason: `WhatsApp account ${account.displayPhoneNumber ?? account.phoneNumberId} needs to be reconnected` };
  }
  return undefined;
}

/**
 * The key that paces sends per channel on the send task queue (Temporal fairness, 64 bytes max):
 * WhatsApp's limits are per business phone number; a tenant's own provider and the platform's
 * provider are one channel each.
 */
export function channelFairnessKey(channel: ChannelChoice, tenantId: string): string | undefined {
  switch (channel.kind) {
    case 'cloud':
      return `wa:${channel.phoneNumberId}`;
    case 'tenant_provider':
      return `tenant:${tenantId}`;
    case 'platform_provider':
      // One key per tenant: a tenant sending a lot on the platform's number delays only itself.
      return `platform:${tenantId}`;
    default:
      return undefined;
  }
}

export async function chooseChannel(
  deps: { db: Database; secrets: SecretBox; config: AppConfig },
  claim: { tenantId: string; campaignWhatsappAccountId: string | null },
  /** reserve: this choice is for a send now (counts against the platform channel's daily quota) */
  options: { reserve?: boolean } = {},
): Promise<ChannelChoice> {
  const { db, secrets, config } = deps;
  const select = { id: true, status: true, phoneNumberId: true, accessToken: true, displayPhoneNumber: true } as const;

  if (claim.campaignWhatsappAccountId) {
    const account = await db.whatsappAccount.findFirst({ where: { id: claim.campaignWhatsappAccountId, tenantId: claim.tenantId }, select });
    const choice = account && usable(account);
    if (choice) return choice;
  }

  const tenant = await db.tenant.findUniqueOrThrow({ where: { id: claim.tenantId }, select: { waConfig: true, platformWhatsappAllowed: true } });
  const waConfig = openConfig<WaConfig>(secrets, tenant.waConfig);
  if (waConfig) return { kind: 'tenant_provider', config: waConfig };

  const accounts = await db.whatsappAccount.findMany({
    where: { tenantId: claim.tenantId, status: { in: ['ACTIVE', 'NEEDS_REAUTH'] } },
    orderBy: [{ connectedAt: 'asc' }, { id: 'asc' }],
    select,
  });
  const active = accounts.find((account) => account.status === 'ACTIVE' && account.accessToken);
  if (active) return usable(active)!;
  if (accounts.length > 0) return usable(accounts[0]!)!;

  const platform = config.whatsappPlatform;
  if (!platform.apiUrl || !platform.apiKey) return { kind: 'none', reason: 'no WhatsApp channel is configured for this tenant or the platform' };
  if (!tenant.platformWhatsappAllowed) {
    return { kind: 'none', reason: "the tenant has no WhatsApp channel of its own and is not allowed to use the platform's" };
  }
  // Planning only looks; the send reserves one message of the day (atomic), so concurrent sends
  // cannot pass the quota together.
  const quota = config.platformWhatsappDailyQuota;
  const withinQuota = options.reserve ? await reservePlatformSend(db, claim.tenantId, quota) : (await platformSendsToday(db, claim.tenantId)) < quota;
  if (!withinQuota) {
    return {
      kind: 'hold',
      reason: `the daily quota of ${quota} messages on the platform's WhatsApp channel is used up (sends again after midnight UTC)`,
    };
  }
  return { kind: 'platform_provider', apiUrl: platform.apiUrl, apiKey: platform.apiKey, instanceId: platform.instanceId };
}

const utcDay = () => new Date().toISOString().slice(0, 10);

/** The tenant's messages the platform's provider was given today (UTC). */
async function platformSendsToday(db: Database, tenantId: string): Promise<number> {
  const row = await db.platformWhatsappDay.findUnique({ where: { tenantId_day: { tenantId, day: utcDay() } }, select: { sent: true } });
  return row?.sent ?? 0;
}

/** Counts one more message of the day unless the quota is reached; false when it is. */
async function reservePlatformSend(db: Database, tenantId: string, quota: number): Promise<boolean> {
  if (quota <= 0) return false;
  const reserved = await db.$queryRaw<{ sent: number }[]>`
    INSERT INTO "PlatformWhatsappDay" ("tenantId", "day", "sent") VALUES (${tenantId}, ${utcDay()}, 1)
    ON CONFLICT ("tenantId", "day") DO UPDATE SET "sent" = "PlatformWhatsappDay"."sent" + 1
    WHERE "PlatformWhatsappDay"."sent" < ${quota}
    RETURNING "sent"`;
  return reserved.length === 1;
}
