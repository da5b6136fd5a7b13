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
import type { AppConfig } from '../config.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Database } from '../db/client.js';
import { unreachable } from '../domain/statuses.js';
import { openConfig, type WaConfig } from '../tenant-config/stored-configs.js';
import type { SentMessage } from './outcomes.js';

export type ChannelChoice =
  | ({ kind: 'cloud'; accountId: string; phoneNumberId: string; sealedToken: string } & CloudAccountFacts)
  | { kind: 'tenant_provider'; config: WaConfig }
  | { kind: 'platform_provider'; apiUrl: string; apiKey: string; instanceId: string | undefined }
  | { kind: 'hold'; reason: string }
  | { kind: 'none'; reason: string };

/** A channel a message can go out on now. */
export type SendableChannel = Exclude<ChannelChoice, { kind: 'hold' } | { kind: 'none' }>;

/** A Cloud API number's sending pause (sending-circuit-breaker.ts), as read with the choice. */
export interface AccountPause {
  readonly sendingPausedAt: Date | null;
  readonly sendingPausedCode: string | null;
  readonly sendingPausedReason: string | null;
  readonly sendingProbeAt: Date | null;
  readonly sendingProbeClaimId: string | null;
}

/** What WhatsApp's rules read of the chosen number, read in the same statement as the choice. */
export interface CloudAccountFacts {
  readonly pause: AccountPause;
  /** Its business portfolio (Meta's business id), null until learnt */
  readonly businessId: string | null;
  /** The portfolio's messaging limit; null: unlimited or not known */
  readonly messagingLimit: number | null;
}

export interface AccountRow extends CloudAccountFacts {
  readonly id: string;
  readonly status: string;
  readonly phoneNumberId: string;
  readonly accessToken: string | null;
  readonly displayPhoneNumber: string | null;
}

/**
 * What choosing reads, loaded with the claim (notification-claim.ts) so that a choice costs no
 * round trip of its own, and is made afresh from the rows as they are at planning and again at
 * sending (a number disconnected or paused in between is honoured).
 */
export interface ChannelFacts {
  /** The campaign's account, if it is this tenant's */
  readonly campaignAccount: AccountRow | null;
  /** The tenant's default: its earliest connected ACTIVE account with a token, else its earliest ACTIVE or NEEDS_REAUTH one */
  readonly defaultAccount: AccountRow | null;
  readonly sealedWaConfig: string | null;
  readonly platformWhatsappAllowed: boolean;
  /** The tenant's messages on the platform's provider today (UTC) */
  readonly platformSentToday: number;
}

function usable(account: AccountRow): ChannelChoice | undefined {
  if (account.status === 'ACTIVE' && account.accessToken) {
    const { pause, businessId, messagingLimit } = account;
    return {
      kind: 'cloud',
      accountId: account.id,
      phoneNumberId: account.phoneNumberId,
      sealedToken: account.accessToken,
      pause,
      businessId,
      messagingLimit,
    };
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

/**
 * The sending number a channel sends from, as WhatsApp sees it: its limits per (number, recipient)
 * pair apply across tenants, so every tenant on the platform's provider shares one sender.
 */
export function channelSender(channel: ChannelChoice, tenantId: string): string {
  if (channel.kind === 'platform_provider') return 'platform';
  return channelFairnessKey(channel, tenantId) ?? channel.kind;
}

export async function chooseChannel(
  deps: { db: Database; secrets: SecretBox; config: AppConfig },
  claim: { tenantId: string; channel: ChannelFacts },
  /** reserve: this choice is for a send now (counts against the platform channel's daily quota) */
  options: { reserve?: boolean } = {},
): Promise<ChannelChoice> {
  const { db, secrets, config } = deps;
  const facts = claim.channel;

  const campaignChoice = facts.campaignAccount && usable(facts.campaignAccount);
  if (campaignChoice) return campaignChoice;

  const waConfig = openConfig<WaConfig>(secrets, facts.sealedWaConfig);
  if (waConfig) return { kind: 'tenant_provider', config: waConfig };

  const defaultChoice = facts.defaultAccount && usable(facts.defaultAccount);
  if (defaultChoice) return defaultChoice;

  const platform = config.whatsappPlatform;
  if (!platform.apiUrl || !platform.apiKey) return { kind: 'none', reason: 'no WhatsApp channel is configured for this tenant or the platform' };
  if (!facts.platformWhatsappAllowed) {
    return { kind: 'none', reason: "the tenant has no WhatsApp channel of its own and is not allowed to use the platform's" };
  }
  // Planning only looks; the send reserves one message of the day (atomic), so concurrent sends
  // cannot pass the quota together.
  const quota = config.platformWhatsappDailyQuota;
  const withinQuota = options.reserve ? await reservePlatformSend(db, claim.tenantId, quota) : facts.platformSentToday < quota;
  if (!withinQuota) {
    return {
      kind: 'hold',
      reason: `the daily quota of ${quota} messages on the platform's WhatsApp channel is used up (sends again after midnight UTC)`,
    };
  }
  return { kind: 'platform_provider', apiUrl: platform.apiUrl, apiKey: platform.apiKey, instanceId: platform.instanceId };
}

/** Today as the platform channel's daily quota counts it (UTC). */
export const utcDay = () => new Date().toISOString().slice(0, 10);

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

/** The channel's name as recorded on the claim (notificationChannel). */
export function channelName(channel: SendableChannel): SentMessage['channelName'] {
  switch (channel.kind) {
    case 'cloud':
      return 'WHATSAPP_CLOUD';
    case 'tenant_provider':
      return 'TENANT_PROVIDER';
    case 'platform_provider':
      return 'PLATFORM_PROVIDER';
    default:
      return unreachable(channel);
  }
}

/** The channel as named in a notification's error text. */
export function channelLabel(channel: SendableChannel): string {
  switch (channel.kind) {
    case 'cloud':
      return 'WhatsApp Cloud API';
    case 'tenant_provider':
      return "tenant's WhatsApp provider";
    case 'platform_provider':
      return "platform's WhatsApp provider";
    default:
      return unreachable(channel);
  }
}
