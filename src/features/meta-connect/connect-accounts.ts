// The connect pipeline shared by the redirect callback and Embedded Signup:
//   1. code → long-lived token → debug_token (expiry, scopes, granted WABAs)
//   2. the phone numbers to connect (discovered, or the one the popup reported, verified)
//   3. refuse numbers another tenant holds
//   4. onboarding at Meta: subscribe our app to each WABA, register each number (when a PIN is set)
//   5. one transaction storing every account
//   6. after the commit: each account's refresh schedule, and a nudge to claims held for this tenant
// All Meta calls come before the transaction, so a Meta error at any step leaves nothing half-stored.
// Subscribing and registering are idempotent at Meta, so a connect that failed later can be redone.
import type { Client } from '@temporalio/client';
import type { AppConfig } from '../../config.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { Database } from '../../db/client.js';
import { notFound } from '../../http/errors.js';
import type { GraphClient } from '../../integrations/meta/graph-client.js';
import { registerPhoneNumber, subscribeAppToWaba } from '../../integrations/meta/whatsapp-business.js';
import type { Logger } from '../../logger.js';
import { refreshMessagingLimit } from '../../notifications/refresh-messaging-limit.js';
import { requestReplan } from '../../temporal/claim-signals.js';
import { REQUEST_DEADLINE_MS, withDeadline } from '../../temporal/durable-start.js';
import { ensureRefreshSchedule } from '../../temporal/token-refresh-schedules.js';
import { showAccount, type WhatsappAccountView } from '../whatsapp-accounts/account-view.js';
import { discoverNumbers, verifySelectedNumber } from './find-numbers.js';
import { metaStep } from './meta-failure.js';
import { obtainToken } from './obtain-token.js';
import { assertNotConnectedElsewhere, storeAccounts } from './store-accounts.js';

export interface ConnectDeps {
  readonly config: AppConfig;
  readonly db: Database;
  readonly temporal: Client;
  readonly secrets: SecretBox;
  readonly logger: Logger;
  readonly graph: GraphClient;
}

export interface ConnectInput {
  readonly tenantId: string;
  readonly code: string;
  /** Redirect flow: the exact redirect_uri of the dialog. Embedded Signup: none. */
  readonly redirectUri?: string | undefined;
  /** Embedded Signup: the WABA and number the popup reported */
  readonly selected?: { readonly wabaId: string; readonly phoneNumberId: string } | undefined;
}

export async function connectWhatsappAccounts(deps: ConnectDeps, input: ConnectInput): Promise<WhatsappAccountView[]> {
  const { config, db, graph } = deps;
  const tenant = await db.tenant.findUnique({ where: { id: input.tenantId }, select: { id: true, slug: true } });
  if (!tenant) throw notFound('tenant');

  const granted = await obtainToken(graph, { code: input.code, redirectUri: input.redirectUri });
  const token = granted.accessToken;
  const numbers = input.selected
    ? await verifySelectedNumber(graph, token, granted.info, input.selected)
    : await discoverNumbers(graph, token, granted.info);
  await assertNotConnectedElsewhere(db, tenant.id, numbers);

  for (const wabaId of new Set(numbers.map((number) => number.wabaId))) {
    await metaStep('subscribe_app', () => subscribeAppToWaba(graph, wabaId, token));
  }
  const pin = config.meta.registrationPin;
  if (pin) {
    for (const { phone } of numbers) await metaStep('register_number', () => registerPhoneNumber(graph, phone.id, token, pin));
  }

  const stored = await storeAccounts(deps, tenant.id, granted, numbers);
  await afterConnect(deps, tenant, stored);
  return stored.map((account) => showAccount(account));
}

/**
 * Temporal work after the commit. Failures are logged, not returned: the accounts are stored and
 * usable, the code is spent, and `npm run schedules:reconcile` (or the next connect) repairs a
 * missing schedule; a claim that misses the signal re-plans on its own timer.
 */
async function afterConnect(deps: ConnectDeps, tenant: { id: string; slug: string }, accounts: Awaited<ReturnType<typeof storeAccounts>>) {
  for (const account of accounts) {
    // The portfolio and its messaging limit; the token refresh learns them too if Meta is slow now.
    await refreshMessagingLimit(deps, account.id).catch((error: unknown) =>
      deps.logger.warn({ err: error, accountId: account.id }, 'could not read the messaging limit of the business portfolio'),
    );
    try {
      await withDeadline(deps.temporal, REQUEST_DEADLINE_MS, () => ensureRefreshSchedule(deps.temporal, deps.config, account, tenant.slug));
    } catch (error) {
      deps.logger.error({ err: error, accountId: account.id }, 'could not create the token refresh schedule; run npm run schedules:reconcile');
    }
  }
  try {
    await requestReplan(deps, { kind: 'tenant', tenantId: tenant.id });
  } catch (error) {
    deps.logger.warn({ err: error, tenantId: tenant.id }, 'could not signal waiting claims after a WhatsApp connect');
  }
}
