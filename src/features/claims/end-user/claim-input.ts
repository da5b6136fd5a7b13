// The body of POST /tasks/:taskId/claims.
import { z } from 'zod';
import { normalizeHandle } from '../../../verification/handle-match.js';

export const claimSchema = z
  .object({
    handle: z
      .string()
      .trim()
      .max(100)
      .transform((value) => value || undefined)
      // "@" alone (or "@ @") names nobody: refused here rather than bound as an empty handle.
      .refine((value) => value === undefined || normalizeHandle(value) !== undefined, 'a handle: letters or digits after the @')
      .optional()
      .nullable(),
  })
  .strict();
export type ClaimBody = z.infer<typeof claimSchema>;
