import { z } from 'zod';
import { pageQueryFields } from '../../http/pagination.js';

export const EVENT_DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;

// Unknown query parameters are ignored.
export const listEventDeliveriesQuery = z.object({
  status: z.enum(EVENT_DELIVERY_STATUSES).optional(),
  ...pageQueryFields,
});
export type ListEventDeliveriesQuery = z.infer<typeof listEventDeliveriesQuery>;
