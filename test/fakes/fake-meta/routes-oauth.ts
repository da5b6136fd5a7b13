// OAuth code exchange, fb_exchange_token, debug_token and /me.
import type { FakeMetaContext, FakeMetaRoute } from './context.js';
import { fail, TOKEN_SUBCODES } from './errors.js';
import { fieldsOf } from './fields.js';
import type { FakeMetaState, FakeToken } from './state.js';
import { newTokenString, nextId } from './state.js';

const SIXTY_DAYS_S = 60 * 24 * 3600;

/** Fills a token's defaults and stores it. */
export function storeToken(state: FakeMetaState, now: number, init: Partial<FakeToken> = {}): FakeToken {
  const token: FakeToken = {
    token: newTokenString(),
    type: 'USER',
    appId: state.appId,
    userId: nextId('10'),
    scopes: [],
    granularScopes: [],
    issuedAt: now,
    expiresAt: 0,
    dataAccessExpiresAt: 0,
    ...init,
  };
  state.tokens.set(token.token, token);
  return token;
}

/** Why Meta would refuse this token now, if it would. */
export function tokenProblem(token: FakeToken, now: number): keyof typeof TOKEN_SUBCODES | undefined {
  if (token.invalidated) return token.invalidated;
  if (token.expiresAt !== 0 && token.expiresAt <= now) return 'expired';
  return undefined;
}

function checkClient(context: FakeMetaContext): void {
  const { params, state } = context;
  if (params.client_id !== state.appId) {
    fail({ message: 'Error validating application. Invalid application ID.', code: 101 });
  }
  // Meta really answers a wrong secret with code 1 (which its error guide calls "possibly temporary").
  if (params.client_secret !== state.appSecret) fail({ message: 'Error validating client secret.', code: 1 });
}

function issued(token: FakeToken, now: number) {
  return {
    access_token: token.token,
    token_type: 'bearer',
    // Never-expiring tokens (default BISU tokens) come without expires_in.
    ...(token.expiresAt === 0 ? {} : { expires_in: Math.round((token.expiresAt - now) / 1000) }),
  };
}

function exchangeCode(context: FakeMetaContext) {
  const { params, state, now } = context;
  checkClient(context);
  if (!params.code) fail({ message: 'Missing authorization code', code: 100 });
  const code = state.codes.get(params.code as string);
  if (!code) fail({ message: 'Invalid verification code format.', code: 100 });
  const entry = code;
  if (entry.used) fail({ message: 'This authorization code has been used.', code: 100 });
  if (entry.expiresAt <= now) fail({ message: 'This authorization code has expired.', code: 100 });
  // Redirect flow: redirect_uri must be identical to the dialog's. JS SDK / Embedded Signup codes
  // have none and are exchanged without it (or with an empty one).
  const given = params.redirect_uri ?? '';
  if (given !== (entry.redirectUri ?? '')) {
    fail({
      message: 'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request',
      code: 100,
    });
  }
  entry.used = true;
  return { body: issued(storeToken(state, now, entry.token), now) };
}

function exchangeToken(context: FakeMetaContext) {
  const { params, state, now } = context;
  checkClient(context);
  const old = params.fb_exchange_token ? state.tokens.get(params.fb_exchange_token) : undefined;
  if (!old) fail({ message: 'Invalid OAuth access token - Cannot parse access token', code: 190 });
  const current = old;
  const problem = tokenProblem(current, now);
  // An expired token cannot be exchanged: the user has to log in again.
  if (problem) {
    fail({
      message: 'Error validating access token: the token cannot be exchanged because it is no longer valid.',
      code: 190,
      error_subcode: TOKEN_SUBCODES[problem],
    });
  }
  // The old token keeps working until its own expiry; the new one is a different string.
  const { token: _old, ...rest } = current;
  const fresh = storeToken(state, now, { ...rest, issuedAt: now, expiresAt: now + SIXTY_DAYS_S * 1000 });
  return { body: issued(fresh, now) };
}

function debugToken(context: FakeMetaContext) {
  const { params, state, now } = context;
  if (!params.input_token) fail({ message: '(#100) The parameter input_token is required', code: 100 });
  const token = state.tokens.get(params.input_token as string);
  if (!token) {
    return { body: { data: { error: { code: 190, message: 'Invalid OAuth access token.' }, is_valid: false, scopes: [] } } };
  }
  const problem = tokenProblem(token, now);
  const seconds = (ms: number) => (ms === 0 ? 0 : Math.floor(ms / 1000));
  const data: Record<string, unknown> = {
    app_id: token.appId,
    type: token.type,
    application: 'Fake Meta App',
    data_access_expires_at: seconds(token.dataAccessExpiresAt),
    // 0 = never expires
    expires_at: seconds(token.expiresAt),
    is_valid: problem === undefined,
    issued_at: seconds(token.issuedAt),
    scopes: token.scopes,
    granular_scopes: token.granularScopes.map((scope) => ({
      scope: scope.scope,
      ...(scope.targetIds ? { target_ids: scope.targetIds } : {}),
    })),
    user_id: token.userId,
    ...(token.profileId ? { profile_id: token.profileId } : {}),
  };
  if (problem) {
    data.error = { code: 190, subcode: TOKEN_SUBCODES[problem], message: `Error validating access token: ${problem.replace('_', ' ')}` };
  }
  return { body: { data } };
}

export const oauthRoutes: FakeMetaRoute[] = [
  {
    method: 'GET',
    pattern: /^\/oauth\/access_token$/,
    auth: 'none',
    handler: (context) => (context.params.grant_type === 'fb_exchange_token' ? exchangeToken(context) : exchangeCode(context)),
  },
  { method: 'GET', pattern: /^\/debug_token$/, auth: 'app', handler: debugToken },
  {
    method: 'GET',
    pattern: /^\/me$/,
    auth: 'token',
    handler: (context) => {
      const token = context.token as FakeToken;
      const id = token.type === 'PAGE' && token.profileId ? token.profileId : token.userId;
      return { body: context.render({ id, name: token.name ?? 'Fake User' }, fieldsOf('id', 'name')) };
    },
  },
];
