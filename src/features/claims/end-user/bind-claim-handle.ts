// The handle a claim is checked with, settled before anything is written or started:
// - an end user has one handle per platform: once bound, a claim naming another is refused
//   (409 HANDLE_MISMATCH) and the bound one is used; only a tenant admin rebinds it;
// - otherwise the handle named (else the profile's) is bound by this claim, unless another end
//   user of the tenant holds it (409 HANDLE_TAKEN);
// - a task Meta checks by the claimant's handle needs one: without it the claim is refused
//   (422 HANDLE_REQUIRED), because the fallback strategy is for "Meta cannot tell us", never for
//   "we did not ask".
import type { Database } from '../../../db/client.js';
import type { SocialMediaTask } from '../../../generated/prisma/client.js';
import { AppError } from '../../../http/errors.js';
import { bindHandle, boundHandleOf, profileField } from '../../../verification/handle-binding.js';
import { normalizeHandle } from '../../../verification/handle-match.js';
import type { SocialPlatform } from '../../../verification/outcome.js';
import { taskCheckability } from '../../../verification/task-checkability.js';

export type HandleTask = Pick<SocialMediaTask, 'platform' | 'actionType' | 'targetId' | 'targetUrl' | 'verificationStrategy' | 'requireProofCode'>;

interface Claimant {
  readonly tenantId: string;
  readonly endUserId: string;
  readonly profile: { instagramUsername: string | null; facebookName: string | null };
}

/** The claim's handle (normalised), bound to the claimant; undefined when the task needs none and none was given. */
export async function bindClaimHandle(
  db: Database,
  task: HandleTask,
  claimant: Claimant,
  claimedHandle: string | undefined,
): Promise<string | undefined> {
  const platform = task.platform as SocialPlatform;
  const owner = { tenantId: claimant.tenantId, endUserId: claimant.endUserId, platform };
  const field = profileField(platform);
  const claimed = normalizeHandle(claimedHandle);
  const bound = await boundHandleOf(db, owner);
  if (bound) {
    if (claimed && claimed !== bound) throw mismatch(platform, claimed, bound);
    return bound;
  }
  const candidate = claimedHandle ?? (field ? (claimant.profile[field] ?? undefined) : undefined);
  if (normalizeHandle(candidate)) {
    const result = await bindHandle(db, owner, candidate!);
    if (result.bound) return result.handle;
    if (result.why === 'mismatch') throw mismatch(platform, result.handle, result.boundHandle);
    throw new AppError('HANDLE_TAKEN', `the ${platform.toLowerCase()} handle "${result.handle}" belongs to another end user of this tenant`, {
      field: claimedHandle ? 'handle' : field,
      platform,
    });
  }
  if (needsHandle(task)) {
    throw new AppError('HANDLE_REQUIRED', `this task is checked by your ${platform.toLowerCase()} handle: give it in the claim ("handle")`, {
      field: 'handle',
      platform,
    });
  }
  return undefined;
}

/** Meta looks for the claimant's handle: a checkable META_API task, unless a proof code identifies the comment. */
export function needsHandle(task: HandleTask): boolean {
  if (task.verificationStrategy !== 'META_API') return false;
  const { platform, actionType } = task;
  if (taskCheckability({ platform, actionType, targetId: task.targetId ?? undefined, targetUrl: task.targetUrl ?? undefined }).kind !== 'checkable')
    return false;
  return !(task.actionType === 'COMMENT' && task.requireProofCode);
}

function mismatch(platform: SocialPlatform, claimed: string, bound: string): AppError {
  return new AppError(
    'HANDLE_MISMATCH',
    `your ${platform.toLowerCase()} handle is "${bound}"; claims are checked with it (a tenant admin can change it)`,
    { field: 'handle', platform, claimed, bound },
  );
}
