import type { AppConfig } from '../../config.js';
import type { GraphClient } from '../../integrations/meta/graph-client.js';
import { graphClientFromConfig } from '../../integrations/meta/graph-client-from-config.js';

/** One Graph client per process (created with the routes), pointed at META_GRAPH_BASE_URL. */
export function createMetaGraph(config: AppConfig): GraphClient {
  return graphClientFromConfig(config);
}

/** The settings a connect needs; missing ones → 409 NOT_CONFIGURED naming them. */
export function missingMetaSettings(config: AppConfig, flow: 'redirect' | 'embedded'): string[] {
  const missing: string[] = [];
  if (!config.meta.appId) missing.push('META_APP_ID');
  if (!config.meta.appSecret) missing.push('META_APP_SECRET');
  if (flow === 'redirect' && !config.meta.oauthRedirectUri) missing.push('META_OAUTH_REDIRECT_URI');
  if (flow === 'redirect' && !config.meta.embeddedSignupConfigId) missing.push('META_EMBEDDED_SIGNUP_CONFIG_ID');
  return missing;
}
