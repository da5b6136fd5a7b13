import { Router } from 'express';
import { requireRole } from '../../http/auth.js';
import type { AppDeps } from '../../http/deps.js';
import { pathParam } from '../../http/path-param.js';
import { tenantContext } from '../../http/use-case-context.js';
import { parseInput } from '../../http/validation.js';
import { listEventDeliveriesQuery } from './event-delivery-input.js';
import { listEventDeliveries } from './list-event-deliveries.js';
import { redeliverEvent } from './redeliver-event.js';

export function eventDeliveryRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/tenant/event-deliveries', requireRole('tenant_admin'), async (req, res) => {
    const ctx = tenantContext(deps, req);
    res.json(await listEventDeliveries(ctx, parseInput(listEventDeliveriesQuery, req.query, 'query')));
  });
  router.post('/tenant/event-deliveries/:eventId/redeliver', requireRole('tenant_admin'), async (req, res) => {
    res.status(202).json(await redeliverEvent(tenantContext(deps, req), { eventId: pathParam(req, 'eventId', 'event delivery') }));
  });
  return router;
}
