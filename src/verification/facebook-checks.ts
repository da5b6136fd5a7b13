// The Facebook Page claims the Graph API can prove: a comment on a Page post and a reaction to it.
// Both need a PAGE token: with any other token Meta omits who commented/reacted (since Feb 2018),
// and a listing without identities proves nothing, so that case is reported as unsupported.
// Matching is on the display name (the only identity Meta shows; PSIDs are page-scoped), so the
// evidence records that it matched on a name.
import type { GraphClient } from '../integrations/meta/graph-client.js';
import { listPageObjectComments, listPageObjectReactions } from '../integrations/meta/social-reads.js';
import { EvidenceScreen, type EvidenceRules } from './evidence-screen.js';
import { sameHandle } from './handle-match.js';
import { evidence, type MetaVerification } from './outcome.js';
import { containsProofCode } from './proof-code.js';

export const MAX_FACEBOOK_PAGES = 20;

const NOT_A_PAGE_TOKEN = 'Meta returned no identities: the Facebook token is not a Page token, and only Page tokens can see who commented or reacted';

export async function findFacebookComment(
  client: GraphClient,
  input: { token: string; postId: string; name?: string | undefined; proofCode?: string | undefined; rules?: EvidenceRules },
): Promise<MetaVerification> {
  const { token, postId, name, proofCode } = input;
  const screen = new EvidenceScreen(input.rules);
  const comments = listPageObjectComments(client, postId, token, { maxPages: MAX_FACEBOOK_PAGES });
  let scanned = 0;
  let anonymous = 0;
  for await (const comment of comments) {
    scanned += 1;
    if (!comment.from) {
      anonymous += 1;
      if (!proofCode) continue;
    }
    const matches = proofCode ? containsProofCode(comment.message, proofCode) : sameHandle(comment.from?.name, name);
    if (!matches) continue;
    const candidate = evidence({
      source: 'facebook_comments',
      postId,
      commentId: comment.id,
      parentCommentId: comment.parentId,
      fromId: comment.from?.id ?? null,
      name: comment.from?.name ?? null,
      matchedOn: proofCode ? 'proof_code' : 'name',
      ...(proofCode ? { proofCode } : {}),
      createdTime: comment.createdTime ?? null,
    });
    if (await screen.admit(candidate, comment.createdTime)) return { outcome: 'verified', evidence: candidate };
  }
  // A proof code is in the text, which every token can read; only name matching needs identities.
  if (!proofCode && scanned > 0 && anonymous === scanned) return { outcome: 'unsupported', reason: NOT_A_PAGE_TOKEN };
  const capped = comments.stoppedAtPageCap ? `; stopped after ${comments.pagesFetched} pages, later comments were not checked` : '';
  const who = proofCode ? `with the code ${proofCode}` : `by "${name}"`;
  return screen.notFound(`No comment ${who} on Facebook post ${postId} (${scanned} comments checked${capped})`);
}

/** Any reaction counts as the "like": Facebook replaced likes with reactions (one per user). */
export async function findFacebookReaction(
  client: GraphClient,
  input: { token: string; postId: string; name: string; rules?: EvidenceRules },
): Promise<MetaVerification> {
  const { token, postId, name } = input;
  const screen = new EvidenceScreen(input.rules);
  const reactions = listPageObjectReactions(client, postId, token, { maxPages: MAX_FACEBOOK_PAGES });
  let scanned = 0;
  let anonymous = 0;
  for await (const reaction of reactions) {
    scanned += 1;
    if (!reaction.name) {
      anonymous += 1;
      continue;
    }
    if (!sameHandle(reaction.name, name)) continue;
    const candidate = evidence({
      source: 'facebook_reactions',
      postId,
      reactorId: reaction.id ?? null,
      name: reaction.name,
      reactionType: reaction.type,
      matchedOn: 'name',
    });
    // The reactions edge carries no time: a reaction cannot be dated (see evidence-age.ts).
    if (await screen.admit(candidate, undefined)) return { outcome: 'verified', evidence: candidate };
  }
  if (scanned > 0 && anonymous === scanned) return { outcome: 'unsupported', reason: NOT_A_PAGE_TOKEN };
  const capped = reactions.stoppedAtPageCap ? `; stopped after ${reactions.pagesFetched} pages, other reactions were not checked` : '';
  return screen.notFound(`No reaction by "${name}" on Facebook post ${postId} (${scanned} reactions checked${capped})`);
}
