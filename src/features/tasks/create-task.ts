import { requestIndexBackfill } from '../../comment-index/request-backfill.js';
import type { TenantContext } from '../../http/use-case-context.js';
import { findCampaignOr404 } from '../campaigns/get-campaign.js';
import { assessTaskTarget } from './assess-task-target.js';
import { checkPromotionPolicy } from './check-promotion-policy.js';
import type { CreateTaskInput } from './task-input.js';
import { toTaskView } from './task-view.js';

/** Stores the task once Meta's check of its target passed; `warnings` name what Meta cannot check. */
export async function createTask(ctx: TenantContext, { campaignId, task: input }: { campaignId: string; task: CreateTaskInput }) {
  const { deps, db, tenantId } = ctx;
  const campaign = await findCampaignOr404(db, campaignId);
  const policyWarnings = checkPromotionPolicy(input);
  const warnings = [...policyWarnings, ...(await assessTaskTarget(ctx, input))];
  const task = await db.socialMediaTask.create({ data: { ...input, tenantId, campaignId: campaign.id } });
  requestIndexBackfill(deps, task);
  return { ...toTaskView(task), warnings };
}
