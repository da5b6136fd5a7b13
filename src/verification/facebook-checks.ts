// The Facebook Page claims the Graph API can prove: a comment on a Page post and a reaction to it.
// Both need a PAGE token: with any other token Meta omits who commented/reacted (since Feb 2018),
// and a listing without identities proves nothing, so that case is reported as unsupported.
// Matching is on the display name (the only identity Meta shows; PSIDs are page-scoped), so the
// evidence records that it matched on a name.
import type { GraphClient } from '../integrations/meta/graph-client.js';
import { listPageObjectComments, listPageObjectReactions } from '../integrations/meta/social-reads.js';
import { sameHandle } from './handle-match.js';
import { evidence, type MetaVerification } from './outcome.js';

export const MAX_FACEBOOK_PAGES = 20;

const NOT_A_PAGE_TOKEN =
  'Meta returned no identities: the Facebook token is not a Page token, and only Page tokens can see who commented or reacted';

export async function findFacebookComment(
  client: GraphClient,
  input: { token: string; postId: string; name: string },
): Promise<MetaVerification> {
  const { token, postId, name } = input;
  const comments = listPageObjectComments(client, postId, token, { maxPages: MAX_FACEBOOK_PAGES });
  let scanned = 0;
  let anonymous = 0;
  for await (const comment of comments) {
    scanned += 1;
    if (!comment.from) {
      anonymous += 1;
      continue;
    }
    if (sameHandle(comment.from.name, name)) {
      return {
        outcome: 'verified',
        evidence: evidence({
          source: 'facebook_comments',
          postId,
          commentId: comment.id,
          parentCommentId: comment.parentId,
          fromId: comment.from.id,
          name: comment.from.name,
          matchedOn: 'name',
          createdTime: comment.createdTime ?? null,
        }),
      };
    }
  }
  if (scanned > 0 && anonymous === scanned) return { outcome: 'unsupported', reason: NOT_A_PAGE_TOKEN };
  const capped = comments.stoppedAtPageCap ? `; stopped after ${comments.pagesFetched} pages, later comments were not checked` : '';
  return { outcome: 'not_found', detail: `No comment by "${name}" on Facebook post ${postId} (${scanned} comments checked${capped})` };
}

/** Any reaction counts as the "like": Facebook replaced likes with reactions (one per user). */
export async function findFacebookReaction(
  client: GraphClient,
  input: { token: string; postId: string; name: string },
): Promise<MetaVerification> {
  const { token, postId, name } = input;
  const reactions = listPageObjectReactions(client, postId, token, { maxPages: MAX_FACEBOOK_PAGES });
  let scanned = 0;
  let anonymous = 0;
  for await (const reaction of reactions) {
    scanned += 1;
    if (!reaction.name) {
      anonymous += 1;
      continue;
    }
    if (sameHandle(reaction.name, name)) {
      return {
        outcome: 'verified',
        evidence: evidence({
          source: 'facebook_reactions',
          postId,
          reactorId: reaction.id ?? null,
          name: reaction.name,
          reactionType: reaction.type,
          matchedOn: 'name',
        }),
      };
    }
  }
  if (scanned > 0 && anonymous === scanned) return { outcome: 'unsupported', reason: NOT_A_PAGE_TOKEN };
  const capped = reactions.stoppedAtPageCap ? `; stopped after ${reactions.pagesFetched} pages, other reactions were not checked` : '';
  return { outcome: 'not_found', detail: `No reaction by "${name}" on Facebook post ${postId} (${scanned} reactions checked${capped})` };
}
