// Every feature router, in one place.
import { Router } from 'express';
import { campaignRoutes } from '../features/campaigns/routes.js';
import { endUserClaimRoutes } from '../features/claims/end-user/routes.js';
import { tenantAdminClaimRoutes } from '../features/claims/tenant-admin/routes.js';
import { endUserRoutes } from '../features/end-users/routes.js';
import { metaCallbackRoutes, metaConnectRoutes } from '../features/meta-connect/routes.js';
import { eventDeliveryRoutes } from '../features/event-deliveries/routes.js';
import { rateLimitRoutes } from '../features/rate-limits/routes.js';
import { taskRoutes } from '../features/tasks/routes.js';
import { settingsRoutes } from '../features/settings/routes.js';
import { tenantRoutes } from '../features/tenants/routes.js';
import { timelineRoutes } from '../features/timeline/routes.js';
import { metaWebhookRoutes, webhookEventRoutes } from '../features/webhooks/routes.js';
import { whatsappAccountRoutes } from '../features/whatsapp-accounts/routes.js';
import type { AppDeps } from './deps.js';

/** Unauthenticated routes called by Meta; each parses and verifies its own input. */
export function publicRoutes(_deps: AppDeps): Router {
  const router = Router();
  router.use(metaCallbackRoutes(_deps));
  router.use(metaWebhookRoutes(_deps));
  return router;
}

/** Routes under /api/v1, after JSON parsing and authentication. */
export function apiRoutes(deps: AppDeps): Router {
  const router = Router();
  router.use(tenantRoutes(deps));
  router.use(settingsRoutes(deps));
  router.use(campaignRoutes(deps));
  router.use(taskRoutes(deps));
  router.use(endUserRoutes(deps));
  router.use(tenantAdminClaimRoutes(deps));
  router.use(endUserClaimRoutes(deps));
  router.use(timelineRoutes(deps));
  router.use(metaConnectRoutes(deps));
  router.use(whatsappAccountRoutes(deps));
  router.use(webhookEventRoutes(deps));
  router.use(rateLimitRoutes(deps));
  router.use(eventDeliveryRoutes(deps));
  return router;
}
