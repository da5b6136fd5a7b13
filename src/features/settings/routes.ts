import { Router } from 'express';
import { requireRole } from '../../http/auth.js';
import type { AppDeps } from '../../http/deps.js';
import { platformContext, tenantContext } from '../../http/use-case-context.js';
import { parseInput } from '../../http/validation.js';
import { showWebhookSubscription, type SubscriptionOwner } from '../../webhook-subscriptions/subscription-store.js';
import { putPlatformSettingsSchema, putTenantSettingsSchema } from './config-input.js';
import { getPlatformSettings, putPlatformSettings, resubscribePlatformWebhooks } from './platform-settings.js';
import { getTenantSettings, putTenantSettings, resubscribeTenantWebhooks } from './tenant-settings.js';
import { PLATFORM_OWNER, tenantOwner } from './webhook-subscription.js';

export function settingsRoutes(deps: AppDeps): Router {
  const router = Router();
  // The use cases (re)subscribe webhooks when Meta credentials are written; the views show how
  // that went: webhookSubscription {status, error, subscriptions, ...}.
  const withSubscription = async <T extends object>(view: T, owner: SubscriptionOwner) => ({
    ...view,
    webhookSubscription: await showWebhookSubscription(deps.db, owner),
  });

  router.get('/tenant/settings', requireRole('tenant_admin'), async (req, res) => {
    const ctx = tenantContext(deps, req);
    res.json(await withSubscription(await getTenantSettings(ctx), tenantOwner(ctx.tenantId)));
  });
  router.put('/tenant/settings', requireRole('tenant_admin'), async (req, res) => {
    const ctx = tenantContext(deps, req);
    const view = await putTenantSettings(ctx, parseInput(putTenantSettingsSchema, req.body));
    res.json(await withSubscription(view, tenantOwner(ctx.tenantId)));
  });
  router.post('/tenant/settings/webhook-subscription', requireRole('tenant_admin'), async (req, res) => {
    const ctx = tenantContext(deps, req);
    await resubscribeTenantWebhooks(ctx);
    res.status(202).json((await withSubscription({}, tenantOwner(ctx.tenantId))).webhookSubscription);
  });
  router.get('/platform/settings', requireRole('platform_admin'), async (req, res) => {
    res.json(await withSubscription(await getPlatformSettings(platformContext(deps, req)), PLATFORM_OWNER));
  });
  router.put('/platform/settings', requireRole('platform_admin'), async (req, res) => {
    const view = await putPlatformSettings(platformContext(deps, req), parseInput(putPlatformSettingsSchema, req.body));
    res.json(await withSubscription(view, PLATFORM_OWNER));
  });
  router.post('/platform/settings/webhook-subscription', requireRole('platform_admin'), async (req, res) => {
    await resubscribePlatformWebhooks(platformContext(deps, req));
    res.status(202).json((await withSubscription({}, PLATFORM_OWNER)).webhookSubscription);
  });
  return router;
}
