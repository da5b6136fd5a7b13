// The task bodies and query the routes parse: create, PATCH, list.
import { z } from 'zod';
import { FallbackStrategy, SocialActionType, SocialPlatform, VerificationStrategy } from '../../generated/prisma/enums.js';
import { pageQueryFields } from '../../http/pagination.js';

/** Large enough for any promotion, small enough that a typo cannot mint millions of spins. */
export const MAX_SPINS_REWARD = 10_000;

export const httpUrl = z
  .string()
  .trim()
  .max(2048)
  .pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }));

/** A title goes into a one-line WhatsApp message (title-links.ts refuses links in it). */
export const MAX_TASK_TITLE_LENGTH = 100;

export const taskFields = {
  title: z.string().trim().min(1).max(MAX_TASK_TITLE_LENGTH),
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

export const createTaskSchema = z.object(taskFields).strict();
export type CreateTaskInput = z.infer<typeof createTaskSchema>;

const {
  platform,
  actionType,
  targetId,
  targetUrl,
  title,
  spinsReward,
  verificationStrategy,
  fallbackStrategy,
  statisticalApprovalRate,
  requireProofCode,
} = taskFields;
export const updateTaskSchema = z
  .object({
    title: title.optional(),
    platform: platform.optional(),
    actionType: actionType.optional(),
    // null clears the target
    targetId: targetId.nullable().optional(),
    targetUrl: targetUrl.nullable().optional(),
    spinsReward: spinsReward.optional(),
    verificationStrategy: verificationStrategy.unwrap().optional(),
    fallbackStrategy: fallbackStrategy.unwrap().optional(),
    statisticalApprovalRate: statisticalApprovalRate.unwrap().optional(),
    requireProofCode: requireProofCode.unwrap().optional(),
  })
  .strict();
export type UpdateTaskInput = z.infer<typeof updateTaskSchema>;

export const listTasksQuery = z.object({ ...pageQueryFields });
export type ListTasksQuery = z.infer<typeof listTasksQuery>;
