import { z } from 'zod';
import type { TenantDatabase } from '../../db/tenant-scope.js';
import { CompletionStatus } from '../../generated/prisma/enums.js';
import { parseInput } from '../../http/validation.js';
import { pageArgs, pageQueryFields, toPage } from '../../http/pagination.js';
import { toCompletionView, toEndUserClaimView } from './completion-view.js';

const id = z.string().trim().min(1).max(100);

// Unknown query parameters are ignored (a `tenantId` among them selects nothing).
const listCompletionsQuery = z.object({
  campaignId: id.optional(),
  taskId: id.optional(),
  userId: id.optional(),
  status: z.enum(CompletionStatus).optional(),
  ...pageQueryFields,
});

/** Newest claim first (claimedAt, which the tenant's index covers). Filters naming another tenant's campaign, task or user match nothing. */
export async function listCompletions(db: TenantDatabase, query: unknown, view: 'tenant' | 'end_user' = 'tenant') {
  const { campaignId, taskId, userId, status, ...page } = parseInput(listCompletionsQuery, query, 'query');
  const args = pageArgs(page, { key: 'claimedAt' });
  const filters = {
    ...(campaignId ? { campaignId } : {}),
    ...(taskId ? { taskId } : {}),
    ...(userId ? { userId } : {}),
    ...(status ? { status } : {}),
  };
  const rows = await db.socialTaskCompletion.findMany({ ...args, where: { ...args.where, ...filters } });
  return toPage(rows, page.limit, view === 'tenant' ? toCompletionView : toEndUserClaimView, (row) => row.claimedAt);
}
