// appsecret_proof: hex HMAC-SHA256 of the access token used in the call, keyed with the app secret
// (the system-user doc settles the "app access token" wording of one doc version: it is the token
// of *this* call). With "Require App Secret" on, Meta refuses server calls without it.
import { createHmac } from 'node:crypto';

export function appSecretProof(accessToken: string, appSecret: string): string {
  return createHmac('sha256', appSecret).update(accessToken).digest('hex');
}

/** Meta's app access token: `{app-id}|{app-secret}`. Needed by debug_token; it *is* the secret. */
export function appAccessToken(appId: string, appSecret: string): string {
  return `${appId}|${appSecret}`;
}
