// Code → the longest-lived token the flow allows, with Meta's own word on its expiry and scopes.
import type { GraphClient } from '../../integrations/meta/graph-client.js';
import { debugToken, exchangeCodeForToken, exchangeForLongLivedToken, type DebugTokenInfo } from '../../integrations/meta/oauth.js';
import { AppError } from '../../http/errors.js';
import { badCode, metaStep } from './meta-failure.js';

export interface GrantedToken {
  readonly accessToken: string;
  /** debug_token of accessToken: expiry (null = never), scopes, granular scopes (WABA ids) */
  readonly info: DebugTokenInfo;
}

/**
 * Business (BISU) tokens from Facebook Login for Business / Embedded Signup never expire or last 60
 * days depending on the configuration: they are kept as issued. A USER token that expires (the
 * redirect flow without a business configuration gives a short-lived one) is exchanged with
 * fb_exchange_token for the ~60-day token. Expiry is read from debug_token, never assumed: Meta
 * does not document a fixed lifetime for every token kind.
 */
export async function obtainToken(graph: GraphClient, input: { code: string; redirectUri?: string | undefined }): Promise<GrantedToken> {
  const issued = await metaStep('code_exchange', () => exchangeCodeForToken(graph, input), badCode);
  const info = await inspect(graph, issued.accessToken);
  if (info.expiresAt === null || info.type !== 'USER') return { accessToken: issued.accessToken, info };

  const longer = await metaStep('long_lived_exchange', () => exchangeForLongLivedToken(graph, issued.accessToken));
  return { accessToken: longer.accessToken, info: await inspect(graph, longer.accessToken) };
}

async function inspect(graph: GraphClient, token: string): Promise<DebugTokenInfo> {
  const info = await metaStep('debug_token', () => debugToken(graph, token));
  if (!info.isValid) {
    throw new AppError('UPSTREAM_ERROR', `Meta reports the token it just issued as invalid: ${info.error?.message ?? 'is_valid is false'}`, {
      step: 'debug_token',
      metaCode: info.error?.code ?? null,
      metaSubcode: info.error?.subcode ?? null,
    });
  }
  return info;
}
