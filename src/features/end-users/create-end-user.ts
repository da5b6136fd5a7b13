import { z } from 'zod';
import type { TenantDatabase } from '../../db/tenant-scope.js';
import { AppError } from '../../http/errors.js';
import { parseInput } from '../../http/validation.js';
import { toEndUserView } from './end-user-view.js';

export const E164 = /^\+[1-9]\d{6,14}$/;

const createEndUserSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    phone: z.string().trim().regex(E164, 'an E.164 number: + then 7 to 15 digits, e.g. +51987654321'),
    // Instagram usernames are case-insensitive and often typed with a leading @; stored bare, lowercase.
    instagramUsername: z
      .string()
      .trim()
      .transform((value) => value.replace(/^@/, '').toLowerCase())
      .pipe(z.string().regex(/^[a-z0-9._]{1,30}$/, 'an Instagram username: up to 30 letters, digits, dots and underscores'))
      .optional(),
    facebookName: z.string().trim().min(1).max(200).optional(),
  })
  .strict();

export async function createEndUser(db: TenantDatabase, tenantId: string, body: unknown) {
  const input = parseInput(createEndUserSchema, body);
  try {
    const user = await db.endUser.create({ data: { ...input, tenantId } });
    return toEndUserView(user, 0);
  } catch (error) {
    // Unique per tenant: the same phone at another tenant is another person's account there.
    if ((error as { code?: string }).code === 'P2002') {
      throw new AppError('CONFLICT', 'an end user with this phone already exists', { field: 'phone' }, { cause: error });
    }
    throw error;
  }
}
