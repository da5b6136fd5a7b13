// How a WhatsApp account is shown by the API: never the token (not even masked; tenants have no
// use for it), with the refresh schedule operators can look up in Temporal.
import { sendingPauseOf } from '../../notifications/sending-circuit-breaker.js';
import { refreshScheduleId } from '../../temporal/token-refresh-schedules.js';

export interface WhatsappAccountRow {
  id: string;
  wabaId: string;
  phoneNumberId: string;
  displayPhoneNumber: string | null;
  verifiedName: string | null;
  status: 'ACTIVE' | 'NEEDS_REAUTH' | 'DISCONNECTED';
  statusReason: string | null;
  qualityRating: string | null;
  tokenExpiresAt: Date | null;
  dataAccessExpiresAt: Date | null;
  scopes: string[];
  lastRefreshedAt: Date | null;
  lastRefreshError: string | null;
  connectedAt: Date;
  sendingPausedAt: Date | null;
  sendingPausedCode: string | null;
  sendingPausedReason: string | null;
}

/** The business portfolio's messaging limit as the account view shows it. */
export interface MessagingBudget {
  /** Unique users outside a customer-service window per moving 24 h; null = unlimited or unknown */
  readonly messagingLimit: number | null;
  /** How many of them our sends reached in the last 24 h (our own ledger) */
  readonly messagingUsed24h: number;
}

const UNKNOWN_BUDGET: MessagingBudget = { messagingLimit: null, messagingUsed24h: 0 };

export function showAccount(account: WhatsappAccountRow, budget: MessagingBudget = UNKNOWN_BUDGET) {
  return {
    id: account.id,
    wabaId: account.wabaId,
    phoneNumberId: account.phoneNumberId,
    displayPhoneNumber: account.displayPhoneNumber,
    verifiedName: account.verifiedName,
    status: account.status,
    statusReason: account.statusReason,
    qualityRating: account.qualityRating,
    /** Sends from this number are paused (circuit breaker): why, since when, Meta's code or QUALITY_RED */
    sendingPaused: sendingPauseOf(account),
    messagingLimit: budget.messagingLimit,
    messagingUsed24h: budget.messagingUsed24h,
    /** null: the token does not expire (or, once disconnected, there is none) */
    tokenExpiresAt: account.tokenExpiresAt?.toISOString() ?? null,
    dataAccessExpiresAt: account.dataAccessExpiresAt?.toISOString() ?? null,
    scopes: account.scopes,
    lastRefreshedAt: account.lastRefreshedAt?.toISOString() ?? null,
    lastRefreshError: account.lastRefreshError,
    connectedAt: account.connectedAt.toISOString(),
    /** Temporal schedule keeping the token alive; none once disconnected */
    scheduleId: account.status === 'DISCONNECTED' ? null : refreshScheduleId(account.id),
  };
}

export type WhatsappAccountView = ReturnType<typeof showAccount>;
