// GET /completions/export: which claims (a campaign of the tenant, a claim-time range).
import { z } from 'zod';

const instant = z.iso.datetime({ offset: true }).transform((text) => new Date(text));

export const exportClaimsQuery = z
  .object({
    campaignId: z.string().trim().min(1).max(100).optional(),
    /** Claims made at or after this instant */
    from: instant.optional(),
    /** Claims made before this instant */
    to: instant.optional(),
  })
  .refine((query) => !query.from || !query.to || query.from < query.to, { message: 'from must be before to', path: ['to'] });
export type ExportClaimsQuery = z.infer<typeof exportClaimsQuery>;
