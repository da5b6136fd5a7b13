import { Router } from 'express';
import { requireRole } from '../../http/auth.js';
import type { AppDeps } from '../../http/deps.js';
import { platformContext, tenantContext } from '../../http/use-case-context.js';
import { parseInput } from '../../http/validation.js';
import { putPlatformSettingsSchema, putTenantSettingsSchema } from './config-input.js';
import { getPlatformSettings, putPlatformSettings } from './platform-settings.js';
import { getTenantSettings, putTenantSettings } from './tenant-settings.js';
import { requestWebhookSubscription } from '../../webhook-subscriptions/request-subscription.js';
import { showWebhookSubscription, type SubscriptionOwner } from '../../webhook-subscriptions/subscription-store.js';

/** Whether a settings view's metaConfig names an account whose webhooks can be subscribed. */
const subscribable = (view: {
  metaConfig: { facebookPageId: string | null; facebookToken: { configured: boolean }; instagramAccountId: string | null } | null;
}) =>
  Boolean(view.metaConfig && ((view.metaConfig.facebookPageId && view.metaConfig.facebookToken.configured) || view.metaConfig.instagramAccountId));

export function settingsRoutes(deps: AppDeps): Router {
  const router = Router();
  const tenantOwner = (tenantId: string): SubscriptionOwner => ({ kind: 'tenant', tenantId });
  const platformOwner: SubscriptionOwner = { kind: 'platform' };
  // Every write of Meta credentials (re)subscribes their webhooks in the background (a workflow);
  // the view shows how that went: webhookSubscription {status, error, subscriptions, ...}.
  const withSubscription = async <T extends object>(view: T, owner: SubscriptionOwner) => ({
    ...view,
    webhookSubscription: await showWebhookSubscription(deps.db, owner),
  });
  const wroteMetaConfig = (body: unknown) => typeof body === 'object' && body !== null && 'metaConfig' in body;

  router.get('/tenant/settings', requireRole('tenant_admin'), async (req, res) => {
    const ctx = tenantContext(deps, req);
    res.json(await withSubscription(await getTenantSettings(ctx), tenantOwner(ctx.tenantId)));
  });
  router.put('/tenant/settings', requireRole('tenant_admin'), async (req, res) => {
    const ctx = tenantContext(deps, req);
    const view = await putTenantSettings(ctx, parseInput(putTenantSettingsSchema, req.body));
    if (wroteMetaConfig(req.body)) await requestWebhookSubscription(deps, tenantOwner(ctx.tenantId), subscribable(view));
    res.json(await withSubscription(view, tenantOwner(ctx.tenantId)));
  });
  router.post('/tenant/settings/webhook-subscription', requireRole('tenant_admin'), async (req, res) => {
    const ctx = tenantContext(deps, req);
    const view = await getTenantSettings(ctx);
    await requestWebhookSubscription(deps, tenantOwner(ctx.tenantId), subscribable(view));
    res.status(202).json((await withSubscription({}, tenantOwner(ctx.tenantId))).webhookSubscription);
  });
  router.get('/platform/settings', requireRole('platform_admin'), async (req, res) => {
    res.json(await withSubscription(await getPlatformSettings(platformContext(deps, req)), platformOwner));
  });
  router.put('/platform/settings', requireRole('platform_admin'), async (req, res) => {
    const ctx = platformContext(deps, req);
    const view = await putPlatformSettings(ctx, parseInput(putPlatformSettingsSchema, req.body));
    if (wroteMetaConfig(req.body)) await requestWebhookSubscription(deps, platformOwner, subscribable(view));
    res.json(await withSubscription(view, platformOwner));
  });
  router.post('/platform/settings/webhook-subscription', requireRole('platform_admin'), async (req, res) => {
    const view = await getPlatformSettings(platformContext(deps, req));
    await requestWebhookSubscription(deps, platformOwner, subscribable(view));
    res.status(202).json((await withSubscription({}, platformOwner)).webhookSubscription);
  });
  return router;
}
