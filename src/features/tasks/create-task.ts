import { z } from 'zod';
import type { TenantDatabase } from '../../db/tenant-scope.js';
import {
  FallbackStrategy, SocialActionType, SocialPlatform, VerificationStrategy,
} from '../../generated/prisma/enums.js';
import { parseInput } from '../../http/validation.js';
import { findCampaignOr404 } from '../campaigns/get-campaign.js';
import { toTaskView } from './task-view.js';

/** Large enough for any promotion, small enough that a typo cannot mint millions of spins. */
export const MAX_SPINS_REWARD = 10_000;

const httpUrl = z
  .string()
  .trim()
  .max(2048)
  .pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }));

const createTaskSchema = z
  .object({
    title: z.string().trim().min(1).max(200),
    platform: z.enum(SocialPlatform),
    actionType: z.enum(SocialActionType),
    targetId: z.string().trim().min(1).max(200).optional(),
    targetUrl: httpUrl.optional(),
    spinsReward: z.number().int().min(1).max(MAX_SPINS_REWARD),
    verificationStrategy: z.enum(VerificationStrategy).default('META_API'),
    fallbackStrategy: z.enum(FallbackStrategy).default('STATISTICAL'),
    statisticalApprovalRate: z.number().min(0).max(1).default(0.85),
  })
  .strict();

export async function createTask(db: TenantDatabase, tenantId: string, campaignId: string, body: unknown) {
  const campaign = await findCampaignOr404(db, campaignId);
  const input = parseInput(createTaskSchema, body);
  const task = await db.socialMediaTask.create({ data: { ...input, tenantId, campaignId: campaign.id } });
  return toTaskView(task);
}
