// The end-user bodies the routes parse: create and PATCH.
import { z } from 'zod';
import { normalizeHandle } from '../../verification/handle-match.js';

export const E164 = /^\+[1-9]\d{6,14}$/;

// Instagram usernames are case-insensitive and often typed with a leading @; stored bare, lowercase.
export const instagramUsernameField = z
  .string()
  .trim()
  .transform((value) => value.replace(/^@/, '').toLowerCase())
  .pipe(z.string().regex(/^[a-z0-9._]{1,30}$/, 'an Instagram username: up to 30 letters, digits, dots and underscores'));
export const facebookNameField = z
  .string()
  .trim()
  .min(1)
  .max(200)
  // "@" alone normalises to no handle at all: refused here rather than stored as a name nobody has.
  .refine((value) => normalizeHandle(value) !== undefined, 'a Facebook name: more than "@"');

/** Where and when the person opted in to WhatsApp messages from this business (`at` defaults to now). */
export const whatsappOptInField = z
  .object({
    source: z.string().trim().min(1).max(100),
    at: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
export type WhatsappOptInInput = z.infer<typeof whatsappOptInField>;

export const createEndUserSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    phone: z.string().trim().regex(E164, 'an E.164 number: + then 7 to 15 digits, e.g. +51987654321'),
    instagramUsername: instagramUsernameField.optional(),
    facebookName: facebookNameField.optional(),
    whatsappOptIn: whatsappOptInField.optional(),
  })
  .strict();
export type CreateEndUserInput = z.infer<typeof createEndUserSchema>;

export const updateEndUserSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    // null unbinds the handle from this user
    instagramUsername: instagramUsernameField.nullable().optional(),
    facebookName: facebookNameField.nullable().optional(),
    // a new opt-in (also after an opt-out); null records an opt-out now
    whatsappOptIn: whatsappOptInField.nullable().optional(),
  })
  .strict();
export type UpdateEndUserInput = z.infer<typeof updateEndUserSchema>;
