// One run per schedule tick (schedule `whatsapp-token-refresh-{accountId}`), or per operator
// trigger. The activity does the check/refresh under a row lock (see activities/whatsapp-tokens.ts),
// so the workflow only decides what follows: a rejected token pauses the schedule, with a note
// saying why, until the tenant reconnects (which unpauses it). The input and the result carry ids
// and dates only: the token never enters the workflow history.
import { log } from '@temporalio/workflow';
import type { TokenRefreshResult } from '../activities/whatsapp-tokens.js';
import { whatsappTokenActivities } from './activity-stubs.js';

export interface RefreshWhatsappTokenInput {
  readonly accountId: string;
}

export interface RefreshWhatsappTokenSummary {
  readonly accountId: string;
  readonly result: TokenRefreshResult;
  readonly tokenExpiresAt: string | null;
  readonly reason?: string;
  /** Set when the account needs reauthorization: whether the schedule was paused by this run */
  readonly schedulePaused?: boolean;
}

export async function refreshWhatsappToken(input: RefreshWhatsappTokenInput): Promise<RefreshWhatsappTokenSummary> {
  const outcome = await whatsappTokenActivities.refreshWhatsappAccountToken({ accountId: input.accountId });
  const summary: RefreshWhatsappTokenSummary = {
    accountId: outcome.accountId,
    result: outcome.result,
    tokenExpiresAt: outcome.tokenExpiresAt,
    ...(outcome.reason ? { reason: outcome.reason } : {}),
  };
  // Rejected now, or found NEEDS_REAUTH (marked by a send that saw the token refused): either way
  // the schedule has nothing to do until the tenant reconnects.
  const needsReauth = outcome.result === 'needs_reauth' || outcome.accountStatus === 'NEEDS_REAUTH';
  if (!needsReauth) return summary;

  log.warn('WhatsApp token rejected; pausing its refresh schedule until the tenant reconnects', { accountId: input.accountId });
  const { paused } = await whatsappTokenActivities.pauseWhatsappRefreshSchedule({
    accountId: input.accountId,
    displayPhoneNumber: outcome.displayPhoneNumber ?? null,
    reason: outcome.reason ?? 'Meta rejected the token',
  });
  return { ...summary, schedulePaused: paused };
}
