// The claim as the notification steps read it (campaign, task, end user, the tenant's settings),
// and the checks on it that both planning and sending make.
import type { Database } from '../db/client.js';
import { Prisma } from '../generated/prisma/client.js';
import type { ClaimStatus, NotificationStatus } from '../domain/statuses.js';
import { type AccountRow, type ChannelFacts, utcDay } from './channel-choice.js';
import { consentRefusal } from './consent.js';
import type { NotificationOutcomes } from './outcomes.js';

/** WhatsApp's customer-service window: 24 h after the user last wrote to the business. */
export const SESSION_WINDOW_MS = 24 * 60 * 60_000;

/** What planning and sending read of the claim, its campaign, task, end user and tenant. */
export interface NotificationClaim {
  readonly id: string;
  readonly tenantId: string;
  readonly campaignId: string;
  readonly userId: string;
  readonly status: ClaimStatus;
  readonly verifiedAt: Date | null;
  readonly spinsAwarded: number;
  readonly notificationStatus: NotificationStatus;
  readonly notificationReason: string | null;
  readonly notificationNotBefore: Date | null;
  readonly notificationError: string | null;
  readonly notificationMarketingRetries: number;
  readonly campaign: {
    readonly notificationEnabled: boolean;
    readonly endsAt: Date | null;
    readonly timezone: string | null;
    readonly notificationStartHour: number;
    readonly notificationEndHour: number;
    readonly whatsappAccountId: string | null;
    readonly notificationTemplateName: string | null;
    readonly notificationTemplateLanguage: string | null;
    readonly notificationTemplateStatus: string | null;
  };
  readonly task: { readonly title: string };
  readonly user: {
    readonly name: string;
    readonly phone: string;
    readonly lastInboundAt: Date | null;
    readonly whatsappOptInAt: Date | null;
    readonly whatsappOptedOutAt: Date | null;
  };
  readonly tenant: { readonly timezone: string; readonly requireWhatsappOptIn: boolean };
  /** What choosing its channel reads (channel-choice.ts) */
  readonly channel: ChannelFacts;
}

/** An account's columns as one side of the statement returns them, each prefixed (ca: the campaign's, da: the default). */
const ACCOUNT_COLUMNS = [
  'id',
  'phoneNumberId',
  'accessToken',
  'displayPhoneNumber',
  'businessId',
  'sendingPausedAt',
  'sendingPausedCode',
  'sendingPausedReason',
  'sendingProbeAt',
  'sendingProbeCompletionId',
] as const;
type AccountPrefix = 'ca' | 'da';
type AccountColumns<P extends AccountPrefix> = { [K in (typeof ACCOUNT_COLUMNS)[number] | 'status' | 'messagingLimit' as `${P}_${K}`]: unknown };

/** The statement's select list for one account side (fixed identifiers only). */
const accountSelect = (alias: string, prefix: AccountPrefix) =>
  Prisma.raw(
    [
      ...ACCOUNT_COLUMNS.map((column) => `${alias}."${column}" AS "${prefix}_${column}"`),
      `${alias}."status"::text AS "${prefix}_status"`,
      `${alias}."messagingLimit" AS "${prefix}_messagingLimit"`,
    ].join(', '),
  );

/** The side's account, or null when the statement found none. */
function accountOf(row: Record<string, unknown>, prefix: AccountPrefix): AccountRow | null {
  const column = (name: string) => row[`${prefix}_${name}`] as never;
  if (column('id') === null) return null;
  return {
    id: column('id'),
    status: column('status'),
    phoneNumberId: column('phoneNumberId'),
    accessToken: column('accessToken'),
    displayPhoneNumber: column('displayPhoneNumber'),
    businessId: column('businessId'),
    messagingLimit: column('messagingLimit'),
    pause: {
      sendingPausedAt: column('sendingPausedAt'),
      sendingPausedCode: column('sendingPausedCode'),
      sendingPausedReason: column('sendingPausedReason'),
      sendingProbeAt: column('sendingProbeAt'),
      sendingProbeClaimId: column('sendingProbeCompletionId'),
    },
  };
}

/** An account with its portfolio's messaging limit. */
const ACCOUNT_WITH_LIMIT = Prisma.raw(
  `SELECT ${ACCOUNT_COLUMNS.map((column) => `a."${column}"`).join(', ')}, a."status", p."messagingLimit"
  FROM "WhatsappAccount" a LEFT JOIN "WhatsappPortfolio" p ON p."id" = a."businessId"`,
);

type Row = Omit<NotificationClaim, 'campaign' | 'task' | 'user' | 'tenant'> & {
  campaignNotificationEnabled: boolean;
  campaignEndsAt: Date | null;
  campaignTimezone: string | null;
  campaignNotificationStartHour: number;
  campaignNotificationEndHour: number;
  campaignWhatsappAccountId: string | null;
  campaignNotificationTemplateName: string | null;
  campaignNotificationTemplateLanguage: string | null;
  campaignNotificationTemplateStatus: string | null;
  taskTitle: string;
  userName: string;
  userPhone: string;
  userLastInboundAt: Date | null;
  userWhatsappOptInAt: Date | null;
  userWhatsappOptedOutAt: Date | null;
  tenantTimezone: string;
  tenantRequireWhatsappOptIn: boolean;
  tenantWaConfig: string | null;
  tenantPlatformWhatsappAllowed: boolean;
  platformSentToday: number | null;
} & AccountColumns<'ca'> &
  AccountColumns<'da'>;

/**
 * The claim with its campaign, task, end user, tenant and what choosing its channel reads, in one
 * statement (it is read twice per notification, at planning and at sending: one round trip each
 * instead of five to nine).
 */
export async function loadNotificationClaim(db: Database, claimId: string): Promise<NotificationClaim> {
  const rows = await db.$queryRaw<Row[]>`
    SELECT c."id", c."tenantId", c."campaignId", c."userId", c."status"::text AS "status", c."verifiedAt", c."spinsAwarded",
      c."notificationStatus"::text AS "notificationStatus", c."notificationReason", c."notificationNotBefore",
      c."notificationError", c."notificationMarketingRetries",
      ca."notificationEnabled" AS "campaignNotificationEnabled", ca."endsAt" AS "campaignEndsAt",
      ca."timezone" AS "campaignTimezone", ca."notificationStartHour" AS "campaignNotificationStartHour",
      ca."notificationEndHour" AS "campaignNotificationEndHour", ca."whatsappAccountId" AS "campaignWhatsappAccountId",
      ca."notificationTemplateName" AS "campaignNotificationTemplateName",
      ca."notificationTemplateLanguage" AS "campaignNotificationTemplateLanguage",
      ca."notificationTemplateStatus" AS "campaignNotificationTemplateStatus",
      t."title" AS "taskTitle",
      u."name" AS "userName", u."phone" AS "userPhone", u."lastInboundAt" AS "userLastInboundAt",
      u."whatsappOptInAt" AS "userWhatsappOptInAt", u."whatsappOptedOutAt" AS "userWhatsappOptedOutAt",
      te."timezone" AS "tenantTimezone", te."requireWhatsappOptIn" AS "tenantRequireWhatsappOptIn",
      te."waConfig" AS "tenantWaConfig", te."platformWhatsappAllowed" AS "tenantPlatformWhatsappAllowed",
      pd."sent" AS "platformSentToday",
      ${accountSelect('cw', 'ca')}, ${accountSelect('dw', 'da')}
    FROM "SocialTaskCompletion" c
    JOIN "Campaign" ca ON ca."id" = c."campaignId"
    JOIN "SocialMediaTask" t ON t."id" = c."taskId"
    JOIN "EndUser" u ON u."id" = c."userId"
    JOIN "Tenant" te ON te."id" = c."tenantId"
    LEFT JOIN "PlatformWhatsappDay" pd ON pd."tenantId" = c."tenantId" AND pd."day" = ${utcDay()}
    LEFT JOIN LATERAL (${ACCOUNT_WITH_LIMIT} WHERE a."id" = ca."whatsappAccountId" AND a."tenantId" = c."tenantId") cw ON true
    LEFT JOIN LATERAL (${ACCOUNT_WITH_LIMIT}
      WHERE a."tenantId" = c."tenantId" AND a."status" IN ('ACTIVE', 'NEEDS_REAUTH')
      ORDER BY (a."status" = 'ACTIVE' AND a."accessToken" IS NOT NULL) DESC, a."connectedAt" ASC, a."id" ASC
      LIMIT 1) dw ON true
    WHERE c."id" = ${claimId}`;
  const row = rows[0];
  if (!row) throw new Error(`claim ${claimId} not found`);
  return {
    id: row.id,
    tenantId: row.tenantId,
    campaignId: row.campaignId,
    userId: row.userId,
    status: row.status,
    verifiedAt: row.verifiedAt,
    spinsAwarded: row.spinsAwarded,
    notificationStatus: row.notificationStatus,
    notificationReason: row.notificationReason,
    notificationNotBefore: row.notificationNotBefore,
    notificationError: row.notificationError,
    notificationMarketingRetries: row.notificationMarketingRetries,
    campaign: {
      notificationEnabled: row.campaignNotificationEnabled,
      endsAt: row.campaignEndsAt,
      timezone: row.campaignTimezone,
      notificationStartHour: row.campaignNotificationStartHour,
      notificationEndHour: row.campaignNotificationEndHour,
      whatsappAccountId: row.campaignWhatsappAccountId,
      notificationTemplateName: row.campaignNotificationTemplateName,
      notificationTemplateLanguage: row.campaignNotificationTemplateLanguage,
      notificationTemplateStatus: row.campaignNotificationTemplateStatus,
    },
    task: { title: row.taskTitle },
    user: {
      name: row.userName,
      phone: row.userPhone,
      lastInboundAt: row.userLastInboundAt,
      whatsappOptInAt: row.userWhatsappOptInAt,
      whatsappOptedOutAt: row.userWhatsappOptedOutAt,
    },
    tenant: { timezone: row.tenantTimezone, requireWhatsappOptIn: row.tenantRequireWhatsappOptIn },
    channel: {
      campaignAccount: accountOf(row, 'ca'),
      defaultAccount: accountOf(row, 'da'),
      sealedWaConfig: row.tenantWaConfig,
      platformWhatsappAllowed: row.tenantPlatformWhatsappAllowed,
      platformSentToday: row.platformSentToday ?? 0,
    },
  };
}

/** The user wrote to the business in the last 24 h: any message may go, and none counts against the messaging limit. */
export const sessionOpen = (claim: { user: { lastInboundAt: Date | null } }) =>
  claim.user.lastInboundAt !== null && Date.now() - claim.user.lastInboundAt.getTime() < SESSION_WINDOW_MS;

/** No consent to message this user: skipped, and the claim stays credited. Null when consent allows the send. */
export async function skipWithoutConsent(outcomes: NotificationOutcomes, claim: NotificationClaim): Promise<NotificationStatus | null> {
  const refusal = consentRefusal(claim.user, claim.tenant);
  if (!refusal) return null;
  const why = refusal === 'OPTED_OUT' ? 'the end user opted out of WhatsApp messages' : 'the end user has not opted in to WhatsApp messages';
  return outcomes.finishWhileAhead(claim.id, 'SKIPPED', why, refusal);
}
