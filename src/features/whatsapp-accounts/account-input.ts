// The body of POST /whatsapp/accounts/:id/test-message.
import { z } from 'zod';

export const testMessageSchema = z
  .object({
    to: z
      .string()
      .trim()
      .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number, e.g. +5511999998888'),
  })
  .strict();
export type TestMessageInput = z.infer<typeof testMessageSchema>;
