// The bodies of the two ways to finish a connect.
import { z } from 'zod';

/** POST /meta/oauth/complete: what the callback page handed the dashboard. */
export const completeOAuthSchema = z.object({ code: z.string().trim().min(1).max(2048), state: z.string().trim().min(1).max(1024) }).strict();
export type CompleteOAuthInput = z.infer<typeof completeOAuthSchema>;

const graphId = z
  .string()
  .trim()
  .regex(/^\d{1,30}$/, 'must be a Graph id (digits)');
/** POST /meta/embedded-signup: the popup's code and the ids it reported. */
export const embeddedSignupSchema = z.object({ code: z.string().trim().min(1).max(2048), wabaId: graphId, phoneNumberId: graphId }).strict();
export type EmbeddedSignupInput = z.infer<typeof embeddedSignupSchema>;
