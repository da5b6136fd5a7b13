// Applies an account event (account-events.ts) to our WhatsApp accounts, then brings the
// Temporal side along: the token refresh schedule follows the status (paused while NEEDS_REAUTH,
// deleted when DISCONNECTED, running when ACTIVE) and waiting claims of the tenant re-plan, so a
// held notification moves to another channel (or waits) at once.
//
// Idempotent: status writes are conditional on the current status, and the schedule step runs
// from the account's state after the write, so an activity retry after a Temporal error repeats
// only what is missing.
import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config.js';
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import { applyQualityRating } from '../notifications/quality-rating.js';
import { requestReplan } from '../temporal/claim-signals.js';
import { ensureRefreshSchedule } from '../temporal/token-refresh-schedules.js';
import type { AccountEventDecision } from './account-events.js';
import { digitsOf } from './meta-payload.js';
import type { ProcessedItem } from './processing-result.js';

export interface AccountEventDeps {
  readonly db: Database;
  readonly temporal: Client;
  readonly config: AppConfig;
  readonly logger: Logger;
}

const accountSelect = {
  id: true,
  tenantId: true,
  wabaId: true,
  phoneNumberId: true,
  displayPhoneNumber: true,
  status: true,
  statusReason: true,
  accessToken: true,
  connectedAt: true,
  tenant: { select: { slug: true } },
} as const;

export async function applyAccountEvent(
  deps: AccountEventDeps,
  decision: AccountEventDecision,
  eventTime: Date | undefined,
): Promise<ProcessedItem[]> {
  const { db } = deps;
  if (!decision.wabaId) return [{ kind: 'account', outcome: 'unmatched', detail: `${decision.event}: no WABA id in the event` }];
  const candidates = await db.whatsappAccount.findMany({ where: { wabaId: decision.wabaId }, select: accountSelect, orderBy: { id: 'asc' } });
  const accounts = decision.phoneDigits ? candidates.filter((account) => digitsOf(account.displayPhoneNumber) === decision.phoneDigits) : candidates;
  if (accounts.length === 0) {
    const which = decision.phoneDigits ? ` and display number …${decision.phoneDigits.slice(-4)}` : '';
    return [
      {
        kind: 'account',
        outcome: 'unmatched',
        ref: `waba ${decision.wabaId}`,
        detail: `${decision.event}: no WhatsApp account with WABA ${decision.wabaId}${which}`,
      },
    ];
  }

  const items: ProcessedItem[] = [];
  for (const account of accounts) {
    const base = { kind: 'account' as const, tenantId: account.tenantId, ref: `account ${account.id}` };
    const { change } = decision;
    // Meta retries for up to 7 days: an event older than the account's (re)connection is about a
    // previous connection and must not undo the new one.
    if ((change.kind === 'status' || change.kind === 'lift') && eventTime && eventTime < account.connectedAt) {
      items.push({ ...base, outcome: 'ignored', detail: `${decision.event}: older than the account's connection; not applied` });
      continue;
    }
    switch (change.kind) {
      case 'note':
        items.push({ ...base, outcome: 'ignored', detail: `${decision.event}: ${decision.detail}` });
        break;
      case 'quality': {
        await db.whatsappAccount.update({ where: { id: account.id }, data: { qualityRating: change.qualityRating } });
        // RED pauses the number, YELLOW halves its rate, anything better lifts both.
        const { resumed } = await applyQualityRating(deps, account, change.qualityRating);
        if (resumed) await replanTenant(deps, account.tenantId);
        items.push({ ...base, outcome: 'applied', detail: `${decision.event}: ${decision.detail}` });
        break;
      }
      case 'verifiedName':
        await db.whatsappAccount.update({ where: { id: account.id }, data: { verifiedName: change.verifiedName } });
        items.push({ ...base, outcome: 'applied', detail: `${decision.event}: verified name set` });
        break;
      case 'status': {
        const changed = await setStatus(db, account.id, change.from, {
          status: change.status,
          statusReason: change.reason,
          ...(change.wipeToken ? { accessToken: null, tokenExpiresAt: null, dataAccessExpiresAt: null } : {}),
        });
        const current = await db.whatsappAccount.findUniqueOrThrow({ where: { id: account.id }, select: accountSelect });
        if (current.status === change.status) await followUp(deps, current, changed);
        items.push({
          ...base,
          outcome: changed || current.status === change.status ? 'applied' : 'ignored',
          detail: changed ? `${decision.event}: ${account.status} → ${change.status}` : `${decision.event}: account is ${current.status}; unchanged`,
        });
        break;
      }
      case 'lift': {
        const liftable =
          account.status === 'DISCONNECTED' && account.accessToken !== null && (account.statusReason ?? '').startsWith(change.reasonPrefix);
        const changed =
          liftable && (await setStatus(db, account.id, ['DISCONNECTED'], { status: 'ACTIVE', statusReason: null }, change.reasonPrefix));
        if (changed) {
          const current = await db.whatsappAccount.findUniqueOrThrow({ where: { id: account.id }, select: accountSelect });
          await followUp(deps, current, true);
        }
        items.push({
          ...base,
          outcome: changed ? 'applied' : 'ignored',
          detail: changed
            ? `${decision.event}: DISCONNECTED → ACTIVE`
            : `${decision.event}: account is ${account.status} for another reason; unchanged`,
        });
        break;
      }
    }
  }
  return items;
}

/** Conditional status write under the row lock a token refresh holds, so a refresh cannot store a token we just wiped. */
async function setStatus(
  db: Database,
  accountId: string,
  from: readonly string[],
  data: {
    status: 'ACTIVE' | 'NEEDS_REAUTH' | 'DISCONNECTED';
    statusReason: string | null;
    accessToken?: null;
    tokenExpiresAt?: null;
    dataAccessExpiresAt?: null;
  },
  reasonPrefix?: string,
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT "id" FROM "WhatsappAccount" WHERE "id" = ${accountId} FOR UPDATE`;
    const updated = await tx.whatsappAccount.updateMany({
      where: {
        id: accountId,
        status: { in: [...from] as ('ACTIVE' | 'NEEDS_REAUTH' | 'DISCONNECTED')[] },
        ...(reasonPrefix ? { statusReason: { startsWith: reasonPrefix } } : {}),
      },
      data,
    });
    return updated.count === 1;
  });
}

async function followUp(
  deps: AccountEventDeps,
  account: {
    id: string;
    tenantId: string;
    wabaId: string;
    displayPhoneNumber: string | null;
    status: 'ACTIVE' | 'NEEDS_REAUTH' | 'DISCONNECTED';
    statusReason: string | null;
    tenant: { slug: string };
  },
  changed: boolean,
): Promise<void> {
  // Throws when Temporal is unavailable: the activity retries, and this step runs again.
  await ensureRefreshSchedule(deps.temporal, deps.config, account, account.tenant.slug);
  if (changed) {
    await replanTenant(deps, account.tenantId);
  }
}

async function replanTenant(deps: AccountEventDeps, tenantId: string): Promise<void> {
  await requestReplan(deps, { kind: 'tenant', tenantId }).catch((error: unknown) =>
    deps.logger.warn({ err: error, tenantId }, 'could not signal waiting claims'),
  );
}
