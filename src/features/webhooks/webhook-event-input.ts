// The query of GET /webhooks/events.
import { z } from 'zod';
import { pageQueryFields } from '../../http/pagination.js';

export const listWebhookEventsQuery = z.object({
  unmatched: z.enum(['true', 'false']).optional(),
  ...pageQueryFields,
});
export type ListWebhookEventsQuery = z.infer<typeof listWebhookEventsQuery>;

/** The query of GET /platform/webhook-events/failed. */
export const listFailedDeliveriesQuery = z.object({ ...pageQueryFields });
