// GET /api/v1/meta/connect: what a tenant dashboard needs to start either flow.
import type { AppConfig } from '../../config.js';
import { AppError } from '../../http/errors.js';
import { buildLoginDialogUrl } from '../../integrations/meta/oauth.js';
import { missingMetaSettings } from './meta-settings-check.js';
import { issueState, type ConnectContext } from './oauth-state.js';

export function requireMetaSettings(config: AppConfig, flow: 'redirect' | 'embedded'): void {
  const missing = missingMetaSettings(config, flow);
  if (missing.length > 0) {
    throw new AppError('NOT_CONFIGURED', `Connecting WhatsApp accounts needs the platform's Meta app settings: ${missing.join(', ')} must be set.`, {
      missing,
    });
  }
}

/** The state names the tenant and the admin of the token: only they can complete the connect. */
export async function startConnect(ctx: ConnectContext) {
  const { config } = ctx.deps;
  requireMetaSettings(config, 'redirect');
  const appId = config.meta.appId as string;
  const configId = config.meta.embeddedSignupConfigId as string;
  const redirectUri = config.meta.oauthRedirectUri as string;
  const { state, expiresAt } = await issueState(ctx.deps.db, ctx.signer, { tenantId: ctx.tenantId, userId: ctx.actor.userId });
  return {
    url: buildLoginDialogUrl({ version: config.meta.graphVersion, appId, redirectUri, configId, state }),
    state,
    expiresAt: expiresAt.toISOString(),
    redirectUri,
    // FB.init({appId, version: graphVersion}); FB.login({config_id: configId, response_type: 'code',
    // override_default_response_type: true, extras: {setup: {}}}); then POST /api/v1/meta/embedded-signup.
    embeddedSignup: { appId, configId, graphVersion: config.meta.graphVersion },
  };
}
