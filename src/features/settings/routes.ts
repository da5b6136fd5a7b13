import { Router } from 'express';
import { scopeToTenant } from '../../db/tenant-scope.js';
import { requireRole, tenantIdOf } from '../../http/auth.js';
import type { AppDeps } from '../../http/deps.js';
import { getPlatformSettings, putPlatformSettings } from './platform-settings.js';
import { getTenantSettings, putTenantSettings } from './tenant-settings.js';
import { requestWebhookSubscription } from '../../webhook-subscriptions/request-subscription.js';
import { showWebhookSubscription, type SubscriptionOwner } from '../../webhook-subscriptions/subscription-store.js';

/** Whether a settings view's metaConfig names an account whose webhooks can be subscribed. */
const subscribable = (view: { metaConfig: { facebookPageId: string | null; facebookToken: { configured: boolean }; instagramAccountId: string | null } | null }) =>
  Boolean(view.metaConfig && ((view.metaConfig.facebookPageId && view.metaConfig.facebookToken.configured) || view.metaConfig.instagramAccountId));

export function settingsRoutes(deps: AppDeps): Router {
  const router = Router();
  const tenantOwner = (tenantId: string): SubscriptionOwner => ({ kind: 'tenant', tenantId });
  const platformOwner: SubscriptionOwner = { kind: 'platform' };
  // Every write of Meta credentials (re)subscribes their webhooks in the background (a workflow);
  // the view shows how that went: webhookSubscription {status, error, subscriptions, ...}.
  const withSubscription = async <T extends object>(view: T, owner: SubscriptionOwner) => ({
    ...view, webhookSubscription: await showWebhookSubscription(deps.db, owner),
  });
  const wroteMetaConfig = (body: unknown) => typeof body === 'object' && body !== null && 'metaConfig' in body;

  router.get('/tenant/settings', requireRole('tenant_admin'), async (req, res) => {
    const tenantId = tenantIdOf(req);
    res.json(await withSubscription(await getTenantSettings(scopeToTenant(deps.db, tenantId), deps.secrets, tenantId), tenantOwner(tenantId)));
  });
  router.put('/tenant/settings', requireRole('tenant_admin'), async (req, res) => {
    const tenantId = tenantIdOf(req);
    const view = await putTenantSettings(scopeToTenant(deps.db, tenantId), deps.secrets, tenantId, req.body, {
      allowPrivateNetworks: deps.config.outboundAllowPrivateNetworks,
    });
    if (wroteMetaConfig(req.body)) await requestWebhookSubscription(deps, tenantOwner(tenantId), subscribable(view));
    res.json(await withSubscription(view, tenantOwner(tenantId)));
  });
  router.post('/tenant/settings/webhook-subscription', requireRole('tenant_admin'), async (req, res) => {
    const tenantId = tenantIdOf(req);
    const view = await getTenantSettings(scopeToTenant(deps.db, tenantId), deps.secrets, tenantId);
    await requestWebhookSubscription(deps, tenantOwner(tenantId), subscribable(view));
    res.status(202).json((await withSubscription({}, tenantOwner(tenantId))).webhookSubscription);
  });
  router.get('/platform/settings', requireRole('platform_admin'), async (_req, res) => {
    res.json(await withSubscription(await getPlatformSettings(deps.db, deps.secrets), platformOwner));
  });
  router.put('/platform/settings', requireRole('platform_admin'), async (req, res) => {
    const view = await putPlatformSettings(deps.db, deps.secrets, req.body);
    if (wroteMetaConfig(req.body)) await requestWebhookSubscription(deps, platformOwner, subscribable(view));
    res.json(await withSubscription(view, platformOwner));
  });
  router.post('/platform/settings/webhook-subscription', requireRole('platform_admin'), async (_req, res) => {
    const view = await getPlatformSettings(deps.db, deps.secrets);
    await requestWebhookSubscription(deps, platformOwner, subscribable(view));
    res.status(202).json((await withSubscription({}, platformOwner)).webhookSubscription);
  });
  return router;
}
