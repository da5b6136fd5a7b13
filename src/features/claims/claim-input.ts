// The body of POST /tasks/:taskId/claims.
import { z } from 'zod';

export const claimSchema = z
  .object({
    handle: z
      .string()
      .trim()
      .max(100)
      .transform((value) => value || undefined)
      .optional()
      .nullable(),
  })
  .strict();
export type ClaimBody = z.infer<typeof claimSchema>;
