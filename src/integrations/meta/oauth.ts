// Facebook Login (for Business) and token maintenance: the login dialog URL, code exchange,
// fb_exchange_token refresh and debug_token introspection.
import { OutboundError } from '../outbound-error.js';
import type { GraphClient } from './graph-client.js';

export interface LoginDialogInput {
  readonly version: string;
  readonly appId: string;
  readonly redirectUri: string;
  /** Facebook Login for Business configuration; replaces `scope`. */
  readonly configId: string;
  /** Opaque CSRF guard, returned unchanged to the redirect URI. */
  readonly state: string;
}

/** https://www.facebook.com/{version}/dialog/oauth for the redirect flow. */
export function buildLoginDialogUrl(input: LoginDialogInput): string {
  const url = new URL(`https://www.facebook.com/${input.version}/dialog/oauth`);
  url.searchParams.set('client_id', input.appId);
  url.searchParams.set('redirect_uri', input.redirectUri);
  url.searchParams.set('config_id', input.configId);
  // Business Integration System User tokens require the authorization-code grant.
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('override_default_response_type', 'true');
  url.searchParams.set('state', input.state);
  return url.toString();
}

export interface IssuedToken {
  readonly accessToken: string;
  readonly tokenType: string;
  /** Absent when Meta issued a token without expiry (e.g. default BISU tokens). */
  readonly expiresInSeconds: number | undefined;
  /** Computed from expires_in at receipt; null = no expiry announced. debug_token is authoritative. */
  readonly expiresAt: Date | null;
}

interface AccessTokenResponse {
  access_token?: string;
  token_type?: string;
  expires_in?: number | string;
}

/**
 * Authorization code → token. The redirect flow must send the identical redirect_uri it used in
 * the dialog; Embedded Signup (JS SDK popup) codes are exchanged WITHOUT redirect_uri, and they
 * live 30 seconds, so call this as soon as the code arrives.
 */
export async function exchangeCodeForToken(client: GraphClient, input: { code: string; redirectUri?: string | undefined }): Promise<IssuedToken> {
  const { appId, appSecret } = client.appCredentials();
  const response = await client.get<AccessTokenResponse>('/oauth/access_token', {
    client_id: appId,
    client_secret: appSecret,
    code: input.code,
    redirect_uri: input.redirectUri,
  });
  return issuedToken(response);
}

/**
 * fb_exchange_token: short-lived user token → ~60-day token, or refresh of a 60-day system-user
 * token (with set_token_expires_in_60_days). An expired token cannot be exchanged (190): the
 * tenant has to connect again. The new token is a different string: replace the stored one.
 */
export async function exchangeForLongLivedToken(
  client: GraphClient,
  token: string,
  options: { setTokenExpiresIn60Days?: boolean } = {},
): Promise<IssuedToken> {
  const { appId, appSecret } = client.appCredentials();
  const response = await client.get<AccessTokenResponse>('/oauth/access_token', {
    grant_type: 'fb_exchange_token',
    client_id: appId,
    client_secret: appSecret,
    fb_exchange_token: token,
    set_token_expires_in_60_days: options.setTokenExpiresIn60Days ? 'true' : undefined,
  });
  return issuedToken(response);
}

function issuedToken(response: AccessTokenResponse): IssuedToken {
  if (!response.access_token) {
    throw new OutboundError({ kind: 'permanent', service: 'meta', message: 'Meta token response carried no access_token' });
  }
  const expiresIn = response.expires_in === undefined ? undefined : Number(response.expires_in);
  const expiresInSeconds = expiresIn !== undefined && Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : undefined;
  return {
    accessToken: response.access_token,
    tokenType: response.token_type ?? 'bearer',
    expiresInSeconds,
    expiresAt: expiresInSeconds === undefined ? null : new Date(Date.now() + expiresInSeconds * 1000),
  };
}

export interface GranularScope {
  readonly scope: string;
  /** Asset ids the permission is limited to (WABA ids for whatsapp_*); empty = not asset-scoped. */
  readonly targetIds: string[];
}

export interface DebugTokenInfo {
  readonly isValid: boolean;
  readonly appId: string | undefined;
  readonly userId?: string;
  /** USER, PAGE, SYSTEM_USER, APP... as Meta reports it */
  readonly type?: string;
  /** null = never expires (Meta reports expires_at 0) */
  readonly expiresAt: Date | null;
  /** null = not reported / not applicable (0) */
  readonly dataAccessExpiresAt: Date | null;
  readonly issuedAt?: Date;
  readonly scopes: string[];
  readonly granularScopes: GranularScope[];
  /** Why the token is invalid (Meta's code/subcode, e.g. 190/463 expired, 190/458 app removed). */
  readonly error?: { code: number | undefined; subcode: number | undefined; message: string };
}

interface DebugTokenResponse {
  data?: {
    app_id?: string;
    type?: string;
    user_id?: string;
    is_valid?: boolean;
    expires_at?: number;
    data_access_expires_at?: number;
    issued_at?: number;
    scopes?: string[];
    granular_scopes?: { scope?: string; target_ids?: string[] }[];
    error?: { code?: number; subcode?: number; message?: string };
  };
}

/**
 * Introspects a token. Meta requires an app access token (or an app developer's token) as the
 * caller, so this uses `{app-id}|{app-secret}`. An invalid token is not an exception here: Meta
 * answers 200 with is_valid false and an `error`, and so do we. Read expiry from here rather
 * than assuming it: BISU tokens may be never-expiring or 60-day depending on the configuration.
 */
export async function debugToken(client: GraphClient, token: string): Promise<DebugTokenInfo> {
  const response = await client.get<DebugTokenResponse>('/debug_token', { input_token: token }, client.appAccessToken());
  const data = response.data ?? {};
  return {
    isValid: data.is_valid === true,
    appId: data.app_id,
    ...(data.user_id ? { userId: data.user_id } : {}),
    ...(data.type ? { type: data.type } : {}),
    expiresAt: unixSecondsToDate(data.expires_at),
    dataAccessExpiresAt: unixSecondsToDate(data.data_access_expires_at),
    ...(data.issued_at ? { issuedAt: new Date(data.issued_at * 1000) } : {}),
    scopes: data.scopes ?? [],
    granularScopes: (data.granular_scopes ?? [])
      .filter((entry) => typeof entry.scope === 'string')
      .map((entry) => ({ scope: entry.scope as string, targetIds: (entry.target_ids ?? []).map(String) })),
    ...(data.error ? { error: { code: data.error.code, subcode: data.error.subcode, message: data.error.message ?? 'invalid token' } } : {}),
  };
}

/** Meta reports "never" as 0 (and may omit the field). */
function unixSecondsToDate(seconds: number | undefined): Date | null {
  return typeof seconds === 'number' && seconds > 0 ? new Date(seconds * 1000) : null;
}
