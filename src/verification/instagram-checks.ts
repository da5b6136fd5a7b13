// The Instagram claims the Graph API can prove: a comment (or reply) on a given media, and a tag
// of the business in someone's media. Both walk paginated edges with a page cap, because a popular
// post can have tens of thousands of comments and every page counts against the Instagram BUC limit.
import type { GraphClient } from '../integrations/meta/graph-client.js';
import {
  listInstagramCommentReplies,
  listInstagramComments,
  listInstagramTaggedMedia,
  type InstagramComment,
} from '../integrations/meta/social-reads.js';
import { EvidenceScreen, type EvidenceRules } from './evidence-screen.js';
import { sameHandle } from './handle-match.js';
import { evidence, type MetaVerification } from './outcome.js';
import { containsProofCode } from './proof-code.js';

export const MAX_COMMENT_PAGES = 20;
/** Extra reply pages, shared by all threads whose replies Meta did not fully inline. */
export const MAX_REPLY_PAGES = 10;
export const MAX_TAG_PAGES = 20;

/**
 * A comment or reply on the media by the claimant: by handle, or (when the claim has a proof
 * code) by the code in its text, whoever wrote it. Candidates then pass the evidence rules.
 */
export async function findInstagramComment(
  client: GraphClient,
  input: { token: string; mediaId: string; handle?: string | undefined; proofCode?: string | undefined; rules?: EvidenceRules },
): Promise<MetaVerification> {
  const { token, mediaId, handle, proofCode } = input;
  const screen = new EvidenceScreen(input.rules);
  const matches = (comment: InstagramComment) => (proofCode ? containsProofCode(comment.text, proofCode) : sameHandle(comment.username, handle));
  /** The evidence when the comment matches and passes the rules. */
  const found = async (comment: InstagramComment, parentId?: string): Promise<MetaVerification | undefined> => {
    if (!matches(comment)) return undefined;
    const candidate = evidence({
      source: 'instagram_comments',
      mediaId,
      commentId: comment.id,
      parentCommentId: parentId,
      username: comment.username ?? null,
      timestamp: comment.timestamp ?? null,
      ...(proofCode ? { matchedOn: 'proof_code', proofCode } : {}),
    });
    return (await screen.admit(candidate, comment.timestamp)) ? { outcome: 'verified', evidence: candidate } : undefined;
  };

  const comments = listInstagramComments(client, mediaId, token, { maxPages: MAX_COMMENT_PAGES });
  let scanned = 0;
  const threadsWithMoreReplies: string[] = [];
  for await (const comment of comments) {
    scanned += 1;
    const verified = (await found(comment)) ?? (await firstFound(comment.replies, (reply) => found(reply, comment.id)));
    if (verified) return verified;
    if (comment.hasMoreReplies) threadsWithMoreReplies.push(comment.id);
  }

  let replyPagesLeft = MAX_REPLY_PAGES;
  let repliesCapped = false;
  for (const threadId of threadsWithMoreReplies) {
    if (replyPagesLeft <= 0) {
      repliesCapped = true;
      break;
    }
    const replies = listInstagramCommentReplies(client, threadId, token, { maxPages: replyPagesLeft });
    for await (const reply of replies) {
      const verified = await found(reply, threadId);
      if (verified) return verified;
    }
    replyPagesLeft -= replies.pagesFetched;
    repliesCapped ||= replies.stoppedAtPageCap;
  }

  const limits: string[] = [];
  if (comments.stoppedAtPageCap)
    limits.push(`stopped after ${comments.pagesFetched} pages (${scanned} most recent comments); older comments were not checked`);
  if (repliesCapped) limits.push('some long reply threads were not fully checked');
  const who = proofCode ? `with the code ${proofCode}` : `by @${handle}`;
  return screen.notFound(
    `No comment ${who} on Instagram media ${mediaId}${limits.length ? `: ${limits.join('; ')}` : ` (${scanned} comments checked)`}`,
  );
}

async function firstFound<T>(items: readonly T[], find: (item: T) => Promise<MetaVerification | undefined>): Promise<MetaVerification | undefined> {
  for (const item of items) {
    const verified = await find(item);
    if (verified) return verified;
  }
  return undefined;
}

export async function findInstagramTag(
  client: GraphClient,
  input: { token: string; igUserId: string; handle: string; rules?: EvidenceRules },
): Promise<MetaVerification> {
  const { token, igUserId, handle } = input;
  const screen = new EvidenceScreen(input.rules);
  const media = listInstagramTaggedMedia(client, igUserId, token, { maxPages: MAX_TAG_PAGES });
  let scanned = 0;
  for await (const item of media) {
    scanned += 1;
    if (!sameHandle(item.username, handle)) continue;
    const candidate = evidence({
      source: 'instagram_tags',
      igUserId,
      mediaId: item.id,
      username: item.username ?? null,
      timestamp: item.timestamp ?? null,
      permalink: item.permalink ?? null,
    });
    if (await screen.admit(candidate, item.timestamp)) return { outcome: 'verified', evidence: candidate };
  }
  const capped = media.stoppedAtPageCap ? `; stopped after ${media.pagesFetched} pages, older tags were not checked` : '';
  return screen.notFound(
    `No media by @${handle} tags the business (${scanned} tagged media checked${capped}). ` +
      "@mentions in captions or comments are only reported through Meta's mentions webhook and cannot be searched",
  );
}
