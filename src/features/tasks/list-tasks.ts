import type { TenantContext } from '../../http/use-case-context.js';
import { pageArgs, toPage } from '../../http/pagination.js';
import { findCampaignOr404 } from '../campaigns/get-campaign.js';
import type { ListTasksQuery } from './task-input.js';
import { toEndUserTaskView, toTaskView } from './task-view.js';

/**
 * In creation order: the order the admin set the campaign's tasks up in. End users see the list
 * too (their campaign site shows it), without how each task is verified.
 */
export async function listTasks(ctx: TenantContext, { campaignId, page }: { campaignId: string; page: ListTasksQuery }) {
  const { db } = ctx;
  await findCampaignOr404(db, campaignId);
  const args = pageArgs(page, { direction: 'asc' });
  const rows = await db.socialMediaTask.findMany({ ...args, where: { ...args.where, campaignId } });
  return toPage(rows, page.limit, ctx.actor.role === 'end_user' ? toEndUserTaskView : toTaskView);
}
