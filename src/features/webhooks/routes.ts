// Meta's webhook endpoint (public, raw body, signature-checked) and the tenant admin's view of
// the deliveries that concerned their tenant.
import express, { Router } from 'express';
import { requireRole } from '../../http/auth.js';
import type { AppDeps } from '../../http/deps.js';
import { pathParam } from '../../http/path-param.js';
import { platformContext, tenantContext } from '../../http/use-case-context.js';
import { discardFailedDelivery, listFailedDeliveries, replayFailedDelivery } from './failed-deliveries.js';
import { parseInput } from '../../http/validation.js';
import { listWebhookEvents } from './list-webhook-events.js';
import { SIGNATURE_HEADER } from './meta-signature.js';
import { receiveMetaWebhook } from './receive-webhook.js';
import { answerSubscription } from './verify-subscription.js';
import { listFailedDeliveriesQuery, listWebhookEventsQuery } from './webhook-event-input.js';

/**
 * Meta sends up to 3 MB per delivery; a lower limit would turn large batches into
 * endless retries. Larger bodies are 413.
 */
export const WEBHOOK_BODY_LIMIT = '4mb';

/** Mounted before any JSON parser: the signature is checked over the exact bytes received. */
export function metaWebhookRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/webhooks/meta', (req, res) => {
    const challenge = answerSubscription(req.query as Record<string, unknown>, deps.config.meta.webhookVerifyToken);
    res.setHeader('x-content-type-options', 'nosniff');
    res.status(200).type('text/plain').send(challenge);
  });
  router.post('/webhooks/meta', express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT }), async (req, res) => {
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const received = await receiveMetaWebhook(deps, rawBody, req.headers[SIGNATURE_HEADER], req.requestId);
    res.status(200).json({ received: true, duplicate: received.duplicate });
  });
  return router;
}

/** Under /api/v1 (authenticated). */
export function webhookEventRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/webhooks/events', requireRole('tenant_admin'), async (req, res) => {
    const ctx = tenantContext(deps, req);
    res.json(await listWebhookEvents(ctx, parseInput(listWebhookEventsQuery, req.query, 'query')));
  });
  router.get('/platform/webhook-events/failed', requireRole('platform_admin'), async (req, res) => {
    res.json(await listFailedDeliveries(platformContext(deps, req), parseInput(listFailedDeliveriesQuery, req.query, 'query')));
  });
  router.post('/platform/webhook-events/:webhookEventId/replay', requireRole('platform_admin'), async (req, res) => {
    const webhookEventId = pathParam(req, 'webhookEventId', 'webhook event');
    res.status(202).json(await replayFailedDelivery(platformContext(deps, req), { webhookEventId }));
  });
  router.post('/platform/webhook-events/:webhookEventId/discard', requireRole('platform_admin'), async (req, res) => {
    const webhookEventId = pathParam(req, 'webhookEventId', 'webhook event');
    res.json(await discardFailedDelivery(platformContext(deps, req), { webhookEventId }));
  });
  return router;
}
