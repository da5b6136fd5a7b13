import { z } from 'zod';
import type { TenantDatabase } from '../../db/tenant-scope.js';
import { parseInput } from '../../http/validation.js';
import { findCampaignOr404 } from '../campaigns/get-campaign.js';
import { pageArgs, pageQueryFields, toPage } from '../../http/pagination.js';
import { toEndUserTaskView, toTaskView } from './task-view.js';

const listTasksQuery = z.object({ ...pageQueryFields });

/** In creation order: the order the admin set the campaign's tasks up in. */
export async function listTasks(db: TenantDatabase, campaignId: string, query: unknown, view: 'tenant' | 'end_user' = 'tenant') {
  await findCampaignOr404(db, campaignId);
  const page = parseInput(listTasksQuery, query, 'query');
  const args = pageArgs(page, { direction: 'asc' });
  const rows = await db.socialMediaTask.findMany({ ...args, where: { ...args.where, campaignId } });
  return toPage(rows, page.limit, view === 'tenant' ? toTaskView : toEndUserTaskView);
}
