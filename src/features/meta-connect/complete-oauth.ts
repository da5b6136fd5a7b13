// POST /api/v1/meta/oauth/complete {code, state} (tenant_admin): the second half of the redirect
// flow. The callback page hands the code to the dashboard, which posts it here with the admin's JWT.
// The state must have been issued to this tenant AND this admin: a Meta dialog link that an admin
// sends to the owner of someone else's WhatsApp Business account (account-linking CSRF) yields a
// code only that owner's browser sees, and their dashboard session cannot complete it (403).
import { AppError } from '../../http/errors.js';
import { connectWhatsappAccounts } from './connect-accounts.js';
import type { CompleteOAuthInput } from './connect-input.js';
import { consumeState, type ConnectContext } from './oauth-state.js';
import { requireMetaSettings } from './start-connect.js';

export async function completeOAuth(ctx: ConnectContext, input: CompleteOAuthInput) {
  const { deps } = ctx;
  requireMetaSettings(deps.config, 'redirect');
  const payload = ctx.signer.verify(input.state);
  // Not spent on a mismatch: the admin who did start it can still finish within the 10 minutes.
  if (payload.tenantId !== ctx.tenantId || payload.userId !== ctx.actor.userId) {
    throw new AppError('FORBIDDEN', 'This connection was started by another admin or tenant; it can only be completed by the admin who started it.');
  }
  // Spent before the exchange: a replay arriving while this one still talks to Meta is refused.
  await consumeState(deps.db, payload);
  const accounts = await connectWhatsappAccounts(deps, {
    tenantId: payload.tenantId,
    code: input.code,
    redirectUri: deps.config.meta.oauthRedirectUri,
  });
  return { accounts };
}
