import { z } from 'zod';
import { scopeToTenant } from '../../db/tenant-scope.js';
import type { AppDeps } from '../../http/deps.js';
import type { GraphClient } from '../../integrations/meta/graph-client.js';
import {
  FallbackStrategy, SocialActionType, SocialPlatform, VerificationStrategy,
} from '../../generated/prisma/enums.js';
import { parseInput } from '../../http/validation.js';
import { requestIndexBackfill } from '../../comment-index/request-backfill.js';
import { findCampaignOr404 } from '../campaigns/get-campaign.js';
import { assessTaskTarget } from './assess-task-target.js';
import { toTaskView } from './task-view.js';

/** Large enough for any promotion, small enough that a typo cannot mint millions of spins. */
export const MAX_SPINS_REWARD = 10_000;

export const httpUrl = z
  .string()
  .trim()
  .max(2048)
  .pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }));

export const taskFields = {
    title: z.string().trim().min(1).max(200),
    platform: z.enum(SocialPlatform),
    actionType: z.enum(SocialActionType),
    targetId: z.string().trim().min(1).max(200).optional(),
    targetUrl: httpUrl.optional(),
    spinsReward: z.number().int().min(1).max(MAX_SPINS_REWARD),
    verificationStrategy: z.enum(VerificationStrategy).default('META_API'),
    fallbackStrategy: z.enum(FallbackStrategy).default('STATISTICAL'),
    statisticalApprovalRate: z.number().min(0).max(1).default(0.85),
    /** Claims get a code to put in the comment; verification matches the comment by it */
    requireProofCode: z.boolean().default(false),
};

const createTaskSchema = z.object(taskFields).strict();

/** Stores the task once Meta's check of its target passed; `warnings` name what Meta cannot check. */
export async function createTask(deps: AppDeps, graph: GraphClient, tenantId: string, campaignId: string, body: unknown) {
  const db = scopeToTenant(deps.db, tenantId);
  const campaign = await findCampaignOr404(db, campaignId);
  const input = parseInput(createTaskSchema, body);
  const warnings = await assessTaskTarget(deps, graph, tenantId, input);
  const task = await db.socialMediaTask.create({ data: { ...input, tenantId, campaignId: campaign.id } });
  requestIndexBackfill(deps, task);
  return { ...toTaskView(task), warnings };
}
