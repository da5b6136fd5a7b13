// The query and bodies the claim (and claim-list) routes parse.
import { z } from 'zod';
import { ClaimStatus } from '../../generated/prisma/enums.js';
import { pageQueryFields } from '../../http/pagination.js';

const id = z.string().trim().min(1).max(100);

// Unknown query parameters are ignored (a `tenantId` among them selects nothing).
export const listClaimsQuery = z.object({
  campaignId: id.optional(),
  taskId: id.optional(),
  userId: id.optional(),
  status: z.enum(ClaimStatus).optional(),
  ...pageQueryFields,
});
export type ListClaimsQuery = z.infer<typeof listClaimsQuery>;

/** POST /completions/:id/approve|reject; no body at all is the common case. */
export const decisionSchema = z.object({ reason: z.string().trim().min(1).max(500).optional() }).strict();
export type DecisionInput = z.infer<typeof decisionSchema>;
