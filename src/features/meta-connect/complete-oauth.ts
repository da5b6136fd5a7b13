// POST /api/v1/meta/oauth/complete {code, state} (tenant_admin): the second half of the redirect
// flow. The callback page hands the code to the dashboard, which posts it here with the admin's JWT.
// The state must have been issued to this tenant AND this admin: a Meta dialog link that an admin
// sends to the owner of someone else's WhatsApp Business account (account-linking CSRF) yields a
// code only that owner's browser sees, and their dashboard session cannot complete it (403).
import { z } from 'zod';
import type { Principal } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { parseInput } from '../../http/validation.js';
import { connectWhatsappAccounts, type ConnectDeps } from './connect-accounts.js';
import { consumeState, type StateSigner } from './oauth-state.js';
import { requireMetaSettings } from './start-connect.js';

const bodySchema = z.object({ code: z.string().trim().min(1).max(2048), state: z.string().trim().min(1).max(1024) }).strict();

export async function completeOAuth(deps: ConnectDeps & { signer: StateSigner }, principal: Principal, body: unknown) {
  const input = parseInput(bodySchema, body);
  requireMetaSettings(deps.config, 'redirect');
  const payload = deps.signer.verify(input.state);
  // Not spent on a mismatch: the admin who did start it can still finish within the 10 minutes.
  if (payload.tenantId !== principal.tenantId || payload.userId !== principal.userId) {
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
