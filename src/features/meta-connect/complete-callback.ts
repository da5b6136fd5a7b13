// GET /meta/callback?code=&state= (public: Meta redirects the tenant admin's browser here). The
// tenant comes from the signed state, never from anything else in the request.
import { z } from 'zod';
import { AppError } from '../../http/errors.js';
import { connectWhatsappAccounts, type ConnectDeps } from './connect-accounts.js';
import { consumeState, type StateSigner } from './oauth-state.js';
import { requireMetaSettings } from './start-connect.js';

const text = z.string().max(2048).optional();
const querySchema = z.object({ code: text, state: text, error: text, error_reason: text, error_description: text, error_code: text });

export async function completeCallback(deps: ConnectDeps & { signer: StateSigner }, query: unknown) {
  const params = querySchema.safeParse(query);
  if (!params.success) throw new AppError('BAD_REQUEST', 'malformed callback parameters');
  const { code, state, error, error_reason: reason, error_description: description } = params.data;

  if (error || reason) {
    // The admin cancelled or Meta refused. Spend the state if it is ours, so it cannot be replayed.
    try {
      if (state) await consumeState(deps.db, deps.signer.verify(state));
    } catch {
      // Nothing to spend; the answer is the same.
    }
    throw new AppError('BAD_REQUEST', `Meta did not authorize the connection: ${clean(description ?? reason ?? error ?? 'unknown error')}`, {
      metaError: clean(error ?? ''),
      metaErrorReason: clean(reason ?? ''),
    });
  }

  requireMetaSettings(deps.config, 'redirect');
  const payload = deps.signer.verify(state);
  if (!code) throw new AppError('BAD_REQUEST', 'The callback carries no authorization code.');
  // Spent before the exchange: a replay arriving while this one still talks to Meta is refused.
  await consumeState(deps.db, payload);
  const accounts = await connectWhatsappAccounts(deps, { tenantId: payload.tenantId, code, redirectUri: deps.config.meta.oauthRedirectUri });
  return { status: 'connected' as const, accounts };
}

/** Meta's error text goes back into our JSON: printable characters only, bounded. */
function clean(value: string): string {
  return value.replace(/[^\x20-\x7E\u00A0-\uFFFF]/g, ' ').slice(0, 300);
}
