// The bodies of POST /tenants and PATCH /tenants/:id, and the time-zone field other bodies share.
import { z } from 'zod';
import { isValidTimeZone } from '../../domain/notification-window.js';

export const timeZoneSchema = z.string().trim().refine(isValidTimeZone, { message: 'must be an IANA time zone, e.g. Europe/Berlin' });

export const createTenantSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    slug: z
      .string()
      .trim()
      .min(2)
      .max(63)
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'lowercase letters, digits and single dashes'),
    timezone: timeZoneSchema.optional(),
  })
  .strict();
export type CreateTenantInput = z.infer<typeof createTenantSchema>;

export const updateTenantSchema = z
  .object({
    /** Notifications of a tenant without a channel of its own may go out on the platform's WhatsApp provider */
    platformWhatsappAllowed: z.boolean(),
  })
  .strict();
export type UpdateTenantInput = z.infer<typeof updateTenantSchema>;
