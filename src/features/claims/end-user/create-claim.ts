// An end user claims a task. One claim per (task, user), enforced by the database's unique key,
// so repeats and concurrent duplicates all land on the same row and the same workflow id.
//
// Order matters for "never lost": the row is written first (workflowStartedAt = null), then the
// workflow is started. If the start fails, or the process dies in between, the row is durable and
// the claim sweeper (startUnstartedClaims) starts it later; the workflow id makes every start idempotent.
import { randomUUID } from 'node:crypto';
import type { Claim } from '../../../generated/prisma/client.js';
import type { AppDeps } from '../../../http/deps.js';
import { notFound } from '../../../http/errors.js';
import type { TenantContext } from '../../../http/use-case-context.js';
import { startClaimWorkflow } from '../../../temporal/claim-starter.js';
import { generateProofCode } from '../../../verification/proof-code.js';
import { claimWorkflowId } from '../../../../workflows/definitions.js';
import { bindClaimHandle } from './bind-claim-handle.js';
import type { ClaimBody } from './claim-input.js';

export interface ClaimResult {
  /** true when this request recorded the claim; false for a repeat of an existing one */
  readonly created: boolean;
  readonly body: { completionId: string; status: string; workflowId: string; proofCode?: string };
}

/** The claimant is the token's end user. */
export async function createClaim(ctx: TenantContext, input: ClaimBody & { taskId: string }): Promise<ClaimResult> {
  const { deps, db, tenantId } = ctx;
  const endUserId = ctx.actor.userId;
  const { taskId } = input;
  // Both lookups at once: one round-trip's wait per claim instead of two (intake).
  const [task, user, earlier] = await Promise.all([
    db.socialMediaTask.findUnique({
      where: { id: taskId },
      select: {
        id: true,
        campaignId: true,
        platform: true,
        actionType: true,
        targetId: true,
        targetUrl: true,
        verificationStrategy: true,
        requireProofCode: true,
      },
    }),
    db.endUser.findUnique({ where: { id: endUserId }, select: { id: true, instagramUsername: true, facebookName: true } }),
    db.claim.findUnique({ where: { taskId_userId: { taskId, userId: endUserId } } }),
  ]);
  if (!task) throw notFound('task');
  if (!user) throw notFound('end user');
  // A repeat answers the existing claim and binds nothing: only a new claim may bind a handle.
  if (earlier) return repeat(deps, earlier);
  // The handle is settled (and bound) before the row: a refused claim writes nothing. The row keeps
  // the bound handle, so verification looks for that one whatever the profile says later.
  const handle = await bindClaimHandle(deps.db, task, { tenantId, endUserId: user.id, profile: user }, input.handle ?? undefined);

  // INSERT ... ON CONFLICT DO NOTHING on the (task, user) key: a repeat, or a concurrent duplicate that
  // loses the race (its insert waits for the winner's commit), inserts nothing and reads the winner.
  // A new proof code that happens to repeat another claim's also inserts nothing: draw again.
  for (let attempt = 0; attempt < PROOF_CODE_ATTEMPTS; attempt++) {
    const id = randomUUID();
    const [row] = await db.claim.createManyAndReturn({
      data: [
        {
          id,
          tenantId,
          campaignId: task.campaignId,
          taskId: task.id,
          userId: user.id,
          handle: handle ?? null,
          proofCode: task.requireProofCode ? generateProofCode() : null,
          workflowId: claimWorkflowId(id),
          workflowStartedAt: null,
        },
      ],
      skipDuplicates: true,
    });
    if (row) {
      await tryStart(deps, row);
      return { created: true, body: claimBody(row) };
    }
    const existing = await db.claim.findUnique({ where: { taskId_userId: { taskId: task.id, userId: user.id } } });
    if (existing) return repeat(deps, existing);
    if (!task.requireProofCode) break;
  }
  throw new Error(`claim of task ${task.id} by ${user.id} conflicted but cannot be found`);
}

const PROOF_CODE_ATTEMPTS = 5;

async function repeat(deps: AppDeps, row: Claim): Promise<ClaimResult> {
  // The first request may have died (or Temporal been down) before the start: try again now.
  if (row.workflowStartedAt === null) await tryStart(deps, row);
  return { created: false, body: claimBody(row) };
}

async function tryStart(deps: AppDeps, row: Claim): Promise<void> {
  try {
    await startClaimWorkflow(deps, row);
  } catch (error) {
    // The row is durable: the sweeper starts the workflow later. The claim itself has been accepted.
    deps.logger.warn({ err: error, completionId: row.id }, 'could not start claim workflow; the sweeper will');
  }
}

function claimBody(row: Claim) {
  return { completionId: row.id, status: row.status, workflowId: row.workflowId, ...(row.proofCode ? { proofCode: row.proofCode } : {}) };
}
