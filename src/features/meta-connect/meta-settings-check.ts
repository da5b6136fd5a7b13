import type { AppConfig } from '../../config.js';

/** The settings a connect needs; missing ones → 409 NOT_CONFIGURED naming them. */
export function missingMetaSettings(config: AppConfig, flow: 'redirect' | 'embedded'): string[] {
  const missing: string[] = [];
  if (!config.meta.appId) missing.push('META_APP_ID');
  if (!config.meta.appSecret) missing.push('META_APP_SECRET');
  if (flow === 'redirect' && !config.meta.oauthRedirectUri) missing.push('META_OAUTH_REDIRECT_URI');
  if (flow === 'redirect' && !config.meta.embeddedSignupConfigId) missing.push('META_EMBEDDED_SIGNUP_CONFIG_ID');
  return missing;
}
