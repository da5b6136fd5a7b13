// A claim's comment, looked up in the target's index instead of on Meta: by the claimant's
// handle (normalised author) or by its proof code (in the text, whoever wrote it). Every candidate
// passes the same evidence rules as a live check (evidence-screen.ts: postdates the task, rewards
// one claim of the task), and the evidence has the same shape, so EvidenceUse keys are the same
// whichever way a comment was found.
import type { Database } from '../db/client.js';
import type { EvidenceScreen } from '../verification/evidence-screen.js';
import { evidence, type VerificationEvidence } from '../verification/outcome.js';
import { containsProofCode, PROOF_CODE_PREFIX } from '../verification/proof-code.js';
import type { IndexTargetRow } from './index-store.js';

export interface IndexClaimant {
  /** Normalised handle (handle-match.ts) */
  readonly handle?: string | undefined;
  readonly proofCode?: string | undefined;
}

/** Whether an indexed comment still stands on the platform (confirm-comment.ts); false removes it from the index. */
export type CommentStillStands = (comment: { indexTargetId: string; commentId: string }) => Promise<boolean>;

/** The first admitted match, oldest first; undefined when none passed. */
export async function findClaimInIndex(
  db: Database,
  target: Pick<IndexTargetRow, 'id' | 'platform' | 'targetId'>,
  who: IndexClaimant,
  screen: EvidenceScreen,
  stands?: CommentStillStands,
): Promise<VerificationEvidence | undefined> {
  const { proofCode, handle } = who;
  const codeBody = proofCode?.toUpperCase().startsWith(PROOF_CODE_PREFIX) ? proofCode.slice(PROOF_CODE_PREFIX.length) : proofCode;
  const candidates = await db.indexedComment.findMany({
    where: proofCode
      ? { indexTargetId: target.id, text: { contains: codeBody!, mode: 'insensitive' } }
      : { indexTargetId: target.id, authorHandle: handle ?? '\u0000' },
    orderBy: [{ createdTime: 'asc' }, { commentId: 'asc' }],
  });
  for (const comment of candidates) {
    if (proofCode && !containsProofCode(comment.text, proofCode)) continue;
    // Asked only of a match, before it is reserved: a deleted or hidden comment is skipped (and unindexed).
    if (stands && !(await stands({ indexTargetId: target.id, commentId: comment.commentId }))) continue;
    const found = toEvidence(target, comment, proofCode);
    const timestamp = comment.createdTime?.toISOString();
    if (await screen.admit(found, timestamp)) return found;
  }
  return undefined;
}

/** How many indexed comments there are, and how many carry no author (a non-Page Facebook token). */
export async function indexedCommentCounts(db: Database, indexTargetId: string): Promise<{ total: number; anonymous: number }> {
  const [total, anonymous] = await Promise.all([
    db.indexedComment.count({ where: { indexTargetId } }),
    db.indexedComment.count({ where: { indexTargetId, authorName: null } }),
  ]);
  return { total, anonymous };
}

type IndexedRow = {
  commentId: string;
  parentId: string | null;
  authorId: string | null;
  authorName: string | null;
  createdTime: Date | null;
  source: string;
};

function toEvidence(target: Pick<IndexTargetRow, 'platform' | 'targetId'>, comment: IndexedRow, proofCode: string | undefined): VerificationEvidence {
  const time = comment.createdTime?.toISOString() ?? null;
  const via = comment.source === 'WEBHOOK' ? 'webhook' : 'crawl';
  if (target.platform === 'INSTAGRAM') {
    return evidence({
      source: 'instagram_comments',
      mediaId: target.targetId,
      commentId: comment.commentId,
      parentCommentId: comment.parentId ?? undefined,
      username: comment.authorName,
      timestamp: time,
      ...(proofCode ? { matchedOn: 'proof_code', proofCode } : {}),
      indexedVia: via,
    });
  }
  return evidence({
    source: 'facebook_comments',
    postId: target.targetId,
    commentId: comment.commentId,
    parentCommentId: comment.parentId ?? undefined,
    fromId: comment.authorId,
    name: comment.authorName,
    matchedOn: proofCode ? 'proof_code' : 'name',
    ...(proofCode ? { proofCode } : {}),
    createdTime: time,
    indexedVia: via,
  });
}
