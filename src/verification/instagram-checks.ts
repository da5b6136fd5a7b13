// The Instagram claims the Graph API can prove: a comment (or reply) on a given media, and a tag
// of the business in someone's media. Both walk paginated edges with a page cap, because a popular
// post can have tens of thousands of comments and every page counts against the Instagram BUC limit.
import type { GraphClient } from '../integrations/meta/graph-client.js';
import {
  listInstagramCommentReplies, listInstagramComments, listInstagramTaggedMedia, type InstagramComment,
} from '../integrations/meta/social-reads.js';
import { sameHandle } from './handle-match.js';
import { evidence, type MetaVerification } from './outcome.js';

export const MAX_COMMENT_PAGES = 20;
/** Extra reply pages, shared by all threads whose replies Meta did not fully inline. */
export const MAX_REPLY_PAGES = 10;
export const MAX_TAG_PAGES = 20;

export async function findInstagramComment(
  client: GraphClient,
  input: { token: string; mediaId: string; handle: string },
): Promise<MetaVerification> {
  const { token, mediaId, handle } = input;
  const matches = (comment: InstagramComment) => sameHandle(comment.username, handle);
  const found = (comment: InstagramComment, parentId?: string): MetaVerification => ({
    outcome: 'verified',
    evidence: evidence({
      source: 'instagram_comments',
      mediaId,
      commentId: comment.id,
      parentCommentId: parentId,
      username: comment.username ?? null,
      timestamp: comment.timestamp ?? null,
    }),
  });

  const comments = listInstagramComments(client, mediaId, token, { maxPages: MAX_COMMENT_PAGES });
  let scanned = 0;
  const threadsWithMoreReplies: string[] = [];
  for await (const comment of comments) {
    scanned += 1;
    if (matches(comment)) return found(comment);
    for (const reply of comment.replies) if (matches(reply)) return found(reply, comment.id);
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
    for await (const reply of replies) if (matches(reply)) return found(reply, threadId);
    replyPagesLeft -= replies.pagesFetched;
    repliesCapped ||= replies.stoppedAtPageCap;
  }

  const limits: string[] = [];
  if (comments.stoppedAtPageCap) limits.push(`stopped after ${comments.pagesFetched} pages (${scanned} most recent comments); older comments were not checked`);
  if (repliesCapped) limits.push('some long reply threads were not fully checked');
  return {
    outcome: 'not_found',
    detail: `No comment by @${handle} on Instagram media ${mediaId}${limits.length ? `: ${limits.join('; ')}` : ` (${scanned} comments checked)`}`,
  };
}

export async function findInstagramTag(
  client: GraphClient,
  input: { token: string; igUserId: string; handle: string },
): Promise<MetaVerification> {
  const { token, igUserId, handle } = input;
  const media = listInstagramTaggedMedia(client, igUserId, token, { maxPages: MAX_TAG_PAGES });
  let scanned = 0;
  for await (const item of media) {
    scanned += 1;
    if (sameHandle(item.username, handle)) {
      return {
        outcome: 'verified',
        evidence: evidence({
          source: 'instagram_tags',
          igUserId,
          mediaId: item.id,
          username: item.username ?? null,
          timestamp: item.timestamp ?? null,
          permalink: item.permalink ?? null,
        }),
      };
    }
  }
  const capped = media.stoppedAtPageCap ? `; stopped after ${media.pagesFetched} pages, older tags were not checked` : '';
  return {
    outcome: 'not_found',
    detail:
      `No media by @${handle} tags the business (${scanned} tagged media checked${capped}). ` +
      '@mentions in captions or comments are only reported through Meta\'s mentions webhook and cannot be searched.',
  };
}
