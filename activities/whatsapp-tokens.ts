// Keeping one WhatsApp account's Meta token alive (workflow refreshWhatsappToken). The token is
// loaded, used and re-sealed inside this activity: only the account id crosses Temporal.
//
// Two refreshes of one account never interleave. The schedule's overlap policy SKIP covers the
// schedule's own runs, but `temporal schedule trigger --overlap-policy AllowAll`, a manual
// `temporal workflow start` or a retried activity whose first attempt is still running can overlap.
// So the whole check-exchange-store runs in one transaction holding the account row
// (`SELECT ... FOR UPDATE`): a second run waits, then re-reads the row and finds the fresh token
// (→ unchanged) instead of exchanging the old one again. A reconnect or a disconnect of the same
// account waits for the lock as well, so none of them can overwrite the other's token half-way.
import { ApplicationFailure } from '@temporalio/activity';
import { debugToken, exchangeForLongLivedToken, type DebugTokenInfo } from '../src/integrations/meta/oauth.js';
import { createRedactor } from '../src/integrations/meta/redact.js';
import { refreshMessagingLimit, replanPortfolio } from '../src/notifications/refresh-messaging-limit.js';
import { OutboundError } from '../src/integrations/outbound-error.js';
import { countTokenRefresh } from '../src/observability/business-metrics.js';
import { pauseRefreshSchedule, reauthPauseNote, unpauseRefreshSchedule } from '../src/temporal/token-refresh-schedules.js';
import type { ActivityDeps } from './deps.js';
import { FailureType } from '../src/domain/failure-types.js';
import { toActivityFailure } from '../src/worker/activity-failures.js';

export type TokenRefreshResult = 'refreshed' | 'unchanged' | 'needs_reauth' | 'skipped';

/** What the workflow (and its history) sees: no token, ever. */
export interface TokenRefreshOutcome {
  readonly accountId: string;
  readonly result: TokenRefreshResult;
  /** ISO instant; null when the token does not expire (or there is none) */
  readonly tokenExpiresAt: string | null;
  /** Why NEEDS_REAUTH / skipped */
  readonly reason?: string;
  readonly displayPhoneNumber?: string | null;
  /** The account's status after this run (absent when the account does not exist) */
  readonly accountStatus?: 'ACTIVE' | 'NEEDS_REAUTH' | 'DISCONNECTED';
}

const MAX_REASON_LENGTH = 300;

export function createWhatsappTokenActivities({
  config,
  db,
  secrets,
  temporal,
  logger,
  graph,
}: Pick<ActivityDeps, 'config' | 'db' | 'secrets' | 'temporal' | 'logger' | 'graph'>) {
  // Up to three Meta calls inside the transaction (debug, exchange, debug of the new token).
  const metaBudgetMs = 4 * config.outboundHttpTimeoutMs;
  const lockWaitMs = metaBudgetMs + 5_000;
  const transactionTimeoutMs = lockWaitMs + metaBudgetMs + 10_000;

  /**
   * With the token, the business portfolio's messaging limit (outside the row lock). Best effort:
   * the business_capability_update webhook and the next refresh try again.
   */
  async function refreshPortfolioLimit(accountId: string): Promise<void> {
    try {
      const refreshed = await refreshMessagingLimit({ db, secrets, graph }, accountId);
      if (refreshed.raised && refreshed.businessId) await replanPortfolio({ db, temporal, config, logger }, refreshed.businessId);
    } catch (error) {
      logger.warn({ err: error, accountId }, 'could not refresh the messaging limit of the business portfolio');
    }
  }

  return {
    async refreshWhatsappAccountToken(input: { accountId: string }): Promise<TokenRefreshOutcome> {
      const { accountId } = input;
      try {
        const outcome: TokenRefreshOutcome = await db.$transaction(
          async (tx) => {
            await tx.$executeRawUnsafe(`SET LOCAL lock_timeout = '${lockWaitMs}ms'`);
            const locked = await tx.$queryRaw<{ id: string }[]>`SELECT "id" FROM "WhatsappAccount" WHERE "id" = ${accountId} FOR UPDATE`;
            if (locked.length === 0) return { accountId, result: 'skipped', tokenExpiresAt: null, reason: 'account not found' } as const;
            const account = await tx.whatsappAccount.findUniqueOrThrow({ where: { id: accountId } });
            const base = { accountId, displayPhoneNumber: account.displayPhoneNumber, accountStatus: account.status };
            if (account.status !== 'ACTIVE' || !account.accessToken) {
              // E.g. a send found the token rejected and marked the account: the workflow pauses the schedule.
              const reason =
                account.status === 'NEEDS_REAUTH' ? (account.statusReason ?? 'the account needs to be reconnected') : `account is ${account.status}`;
              return { ...base, result: 'skipped', tokenExpiresAt: iso(account.tokenExpiresAt), reason } as const;
            }
            const token = secrets.open(account.accessToken);
            const redact = createRedactor([token]);

            const markNeedsReauth = async (reason: string): Promise<TokenRefreshOutcome> => {
              const why = redact(reason).slice(0, MAX_REASON_LENGTH);
              await tx.whatsappAccount.update({
                where: { id: accountId },
                data: { status: 'NEEDS_REAUTH', statusReason: why, lastRefreshError: why },
              });
              return { ...base, accountStatus: 'NEEDS_REAUTH', result: 'needs_reauth', tokenExpiresAt: iso(account.tokenExpiresAt), reason: why };
            };

            const current = await debugToken(graph, token);
            const invalid = invalidReason(current);
            if (invalid) return markNeedsReauth(invalid);

            const expiresAt = current.expiresAt;
            const dueForRefresh = expiresAt !== null && expiresAt.getTime() - Date.now() <= config.tokenRefreshThresholdMs;
            if (!dueForRefresh) {
              // Still good: record what Meta reports (expiry may differ from what we stored) and
              // clear an error left by an earlier failed attempt.
              await tx.whatsappAccount.update({
                where: { id: accountId },
                data: { tokenExpiresAt: expiresAt, dataAccessExpiresAt: current.dataAccessExpiresAt, scopes: current.scopes, lastRefreshError: null },
              });
              return { ...base, result: 'unchanged', tokenExpiresAt: iso(expiresAt) };
            }

            let issued;
            try {
              // 60-day system-user/business tokens are refreshed with
              // fb_exchange_token + set_token_expires_in_60_days; user tokens ignore the flag.
              issued = await exchangeForLongLivedToken(graph, token, { setTokenExpiresIn60Days: true });
            } catch (error) {
              // 190 and friends: an expired or revoked token cannot be exchanged; the tenant must reconnect.
              if (error instanceof OutboundError && error.kind === 'auth')
                return markNeedsReauth(`Meta refused to refresh the token: ${error.message}`);
              throw error;
            }
            // debug_token is authoritative for the new expiry; the exchange's expires_in is the fallback.
            const fresh = await debugToken(graph, issued.accessToken).catch(() => undefined);
            const newExpiresAt = fresh?.isValid ? fresh.expiresAt : issued.expiresAt;
            await tx.whatsappAccount.update({
              where: { id: accountId },
              data: {
                accessToken: secrets.seal(issued.accessToken),
                tokenExpiresAt: newExpiresAt,
                ...(fresh?.isValid ? { dataAccessExpiresAt: fresh.dataAccessExpiresAt, scopes: fresh.scopes } : {}),
                lastRefreshedAt: new Date(),
                lastRefreshError: null,
              },
            });
            return { ...base, result: 'refreshed', tokenExpiresAt: iso(newExpiresAt) };
          },
          { timeout: transactionTimeoutMs, maxWait: 10_000 },
        );
        countTokenRefresh(outcome.result);
        if (outcome.accountStatus === 'ACTIVE') await refreshPortfolioLimit(accountId);
        return outcome;
      } catch (error) {
        countTokenRefresh('error');
        const failure = refreshFailure(error);
        // Visible to the tenant (GET /whatsapp/accounts) while Temporal retries.
        await db.whatsappAccount
          .updateMany({ where: { id: accountId }, data: { lastRefreshError: failure.message.slice(0, MAX_REASON_LENGTH) } })
          .catch((dbError: unknown) => logger.warn({ err: dbError, accountId }, 'could not record the refresh error'));
        throw failure;
      }
    },

    /**
     * Stops the schedule from firing until the tenant reconnects; the note tells operators why.
     * Only while the account is still NEEDS_REAUTH: a reconnect may have landed in between (it
     * unpauses the schedule itself), and one landing during the pause is undone right after.
     */
    async pauseWhatsappRefreshSchedule(input: {
      accountId: string;
      displayPhoneNumber: string | null;
      reason: string;
    }): Promise<{ paused: boolean }> {
      const needsReauth = async () =>
        (await db.whatsappAccount.findUnique({ where: { id: input.accountId }, select: { status: true } }))?.status === 'NEEDS_REAUTH';
      if (!(await needsReauth())) return { paused: false };
      const paused = await pauseRefreshSchedule(temporal, input.accountId, reauthPauseNote(input.displayPhoneNumber, input.reason));
      if (paused && !(await needsReauth())) {
        await unpauseRefreshSchedule(temporal, input.accountId, 'Unpaused: the account was reconnected while it was being paused');
        return { paused: false };
      }
      return { paused };
    },
  };
}

function invalidReason(info: DebugTokenInfo): string | undefined {
  if (!info.isValid) {
    const code =
      info.error?.code !== undefined ? ` (code ${info.error.code}${info.error.subcode !== undefined ? `/${info.error.subcode}` : ''})` : '';
    return `Meta reports the token as invalid${code}: ${info.error?.message ?? 'is_valid is false'}`;
  }
  if (info.expiresAt !== null && info.expiresAt.getTime() <= Date.now()) return 'the token has expired';
  if (info.dataAccessExpiresAt !== null && info.dataAccessExpiresAt.getTime() <= Date.now()) {
    return 'data access has expired (90 days without the user being active); the tenant must grant access again';
  }
  return undefined;
}

function refreshFailure(error: unknown): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  if (error instanceof OutboundError && error.kind === 'auth') {
    // Our own app credentials were refused (debug_token runs with the app token): a platform
    // misconfiguration, not the tenant's fault, so the account is left ACTIVE. Retrying does not help.
    return ApplicationFailure.create({
      type: FailureType.Permanent,
      message: `token check failed, the platform's Meta app credentials were rejected: ${error.message}`,
      nonRetryable: true,
      cause: error,
    });
  }
  if (error instanceof OutboundError && error.kind === 'ambiguous') {
    // Only GETs happen here, so "may have been carried out" is harmless: try again.
    return ApplicationFailure.create({ type: FailureType.Transient, message: `token refresh: ${error.message}`, cause: error });
  }
  return toActivityFailure(error, 'token refresh');
}

function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}
