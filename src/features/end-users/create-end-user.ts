import { z } from 'zod';
import type { Database } from '../../db/client.js';
import { AppError } from '../../http/errors.js';
import { bindHandle } from '../../verification/handle-binding.js';
import { parseInput } from '../../http/validation.js';
import { toEndUserView } from './end-user-view.js';

export const E164 = /^\+[1-9]\d{6,14}$/;

// Instagram usernames are case-insensitive and often typed with a leading @; stored bare, lowercase.
export const instagramUsernameField = z
  .string()
  .trim()
  .transform((value) => value.replace(/^@/, '').toLowerCase())
  .pipe(z.string().regex(/^[a-z0-9._]{1,30}$/, 'an Instagram username: up to 30 letters, digits, dots and underscores'));
export const facebookNameField = z.string().trim().min(1).max(200);

const createEndUserSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    phone: z.string().trim().regex(E164, 'an E.164 number: + then 7 to 15 digits, e.g. +51987654321'),
    instagramUsername: instagramUsernameField.optional(),
    facebookName: facebookNameField.optional(),
  })
  .strict();

/** The user and the bindings of their profile handles, in one transaction: a taken handle writes nothing. */
export async function createEndUser(db: Database, tenantId: string, body: unknown) {
  const input = parseInput(createEndUserSchema, body);
  try {
    const user = await db.$transaction(async (tx) => {
      const created = await tx.endUser.create({ data: { ...input, tenantId } });
      const profile = [['INSTAGRAM', input.instagramUsername], ['FACEBOOK', input.facebookName]] as const;
      for (const [platform, handle] of profile) {
        if (!handle) continue;
        const binding = await bindHandle(tx, { tenantId, platform, endUserId: created.id }, handle);
        if (!binding.bound) {
          throw new AppError('HANDLE_TAKEN', `the ${platform.toLowerCase()} handle "${binding.handle}" belongs to another end user of this tenant`, {
            field: platform === 'INSTAGRAM' ? 'instagramUsername' : 'facebookName',
            platform,
          });
        }
      }
      return created;
    });
    return toEndUserView(user, 0);
  } catch (error) {
    // Unique per tenant: the same phone at another tenant is another person's account there.
    if ((error as { code?: string }).code === 'P2002') {
      throw new AppError('CONFLICT', 'an end user with this phone already exists', { field: 'phone' }, { cause: error });
    }
    throw error;
  }
}
