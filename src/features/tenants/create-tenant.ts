import { z } from 'zod';
import { isValidTimeZone } from '../../domain/notification-window.js';
import type { Database } from '../../db/client.js';
import { AppError } from '../../http/errors.js';
import { parseInput } from '../../http/validation.js';

export const timeZoneSchema = z.string().trim().refine(isValidTimeZone, { message: 'must be an IANA time zone, e.g. Europe/Berlin' });

const createTenantSchema = z.object({
  name: z.string().trim().min(1).max(200),
  slug: z
    .string()
    .trim()
    .min(2)
    .max(63)
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'lowercase letters, digits and single dashes'),
  timezone: timeZoneSchema.optional(),
}).strict();

export async function createTenant(db: Database, input: unknown) {
  const data = parseInput(createTenantSchema, input);
  try {
    const tenant = await db.tenant.create({ data: { name: data.name, slug: data.slug, timezone: data.timezone ?? 'UTC' } });
    return { id: tenant.id, name: tenant.name, slug: tenant.slug, timezone: tenant.timezone };
  } catch (error) {
    if ((error as { code?: string }).code === 'P2002') {
      throw new AppError('CONFLICT', `a tenant with slug "${data.slug}" already exists`, undefined, { cause: error });
    }
    throw error;
  }
}
