// A LIKE claim's reaction, looked up in the post's indexed reactions by the claimant's display
// name (the only identity Meta shows on Page reactions). The evidence has the same shape and key
// as a live check of the reactions edge, so EvidenceUse rewards one claim per reactor and post.
// "Evidence must postdate the task": a reaction counts only when it is known to have been made
// after the task, i.e. its `madeAfter` (see reaction-store.ts) is not before the task's creation.
// One present at the post's first crawl (the backfill taken when the task was created) has no
// such bound and does not count.
import type { Database } from '../db/client.js';
import type { EvidenceScreen } from '../verification/evidence-screen.js';
import { evidence, type VerificationEvidence } from '../verification/outcome.js';
import type { IndexTargetRow } from './index-store.js';

/** What the evidence screen is given for a reaction of unknown age: older than any task. */
const UNDATABLE = new Date(0).toISOString();

export async function findReactionInIndex(
  db: Database,
  target: Pick<IndexTargetRow, 'id' | 'targetId'>,
  handle: string,
  screen: EvidenceScreen,
): Promise<VerificationEvidence | undefined> {
  const candidates = await db.indexedReaction.findMany({
    where: { indexTargetId: target.id, reactorHandle: handle },
    orderBy: [{ madeAfter: { sort: 'desc', nulls: 'last' } }, { reactorKey: 'asc' }],
  });
  for (const reaction of candidates) {
    const madeAfter = reaction.madeAfter?.toISOString() ?? null;
    const found = evidence({
      source: 'facebook_reactions',
      postId: target.targetId,
      reactorId: reaction.reactorId,
      name: reaction.reactorName,
      reactionType: reaction.reactionType,
      matchedOn: 'name',
      madeAfter,
      indexedVia: reaction.source === 'WEBHOOK' ? 'webhook' : 'crawl',
    });
    if (await screen.admit(found, madeAfter ?? UNDATABLE)) return found;
  }
  return undefined;
}
