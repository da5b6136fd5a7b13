// Instagram never tells us that a comment was deleted (no webhook, and crawls only add), so an
// indexed comment may be gone: "comment, get indexed, delete, claim" would verify. Before an indexed
// Instagram comment verifies a claim, one Graph read of that comment id confirms it still stands
// (one read per claim about to be verified, not per claim). A comment Meta says does not exist, or
// that the business hid, proves nothing and leaves the index.
import type { Database } from '../db/client.js';
import type { GraphClient } from '../integrations/meta/graph-client.js';
import { graphIdSegment } from '../integrations/meta/graph-ids.js';
import { OutboundError } from '../integrations/outbound-error.js';
import { removeComment } from './index-store.js';

/** Meta's answer for an object that does not exist (or can no longer be loaded): code 100, subcode 33. */
function doesNotExist(error: unknown): boolean {
  if (!(error instanceof OutboundError) || error.kind !== 'permanent' || error.providerCode !== 100) return false;
  return error.providerSubcode === 33 || /does not exist/i.test(error.message);
}

/**
 * Whether the indexed comment still stands on Instagram; removes it from the index when not.
 * Throws the OutboundError of any other failure (the caller decides: credentials, retry).
 */
export async function instagramCommentStands(
  deps: { db: Database; graph: GraphClient },
  comment: { indexTargetId: string; commentId: string },
  token: string,
): Promise<boolean> {
  let hidden: boolean | undefined;
  try {
    const read = await deps.graph.get<{ id?: string; hidden?: boolean }>(
      `/${graphIdSegment(comment.commentId, 'comment id')}`,
      { fields: 'id,hidden' },
      token,
    );
    hidden = read.hidden === true;
  } catch (error) {
    if (!doesNotExist(error)) throw error;
  }
  if (hidden === false) return true;
  await removeComment(deps.db, comment.indexTargetId, comment.commentId);
  return false;
}
