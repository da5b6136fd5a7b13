// One crawl of a Facebook post's reactions. Meta's reactions edge is neither dated nor documented
// as ordered, so there is no watermark to stop at: every crawl lists all reactions (in pages of
// 100) and the store keeps, for each, the earliest it can have been made. Shared crawls keep that
// to one listing per freshness request, whatever the number of claims waiting.
import type { GraphClient } from '../integrations/meta/graph-client.js';
import { listPageObjectReactions } from '../integrations/meta/social-reads.js';
import type { IndexableReaction } from './reaction-store.js';

const NO_PAGE_CAP = Number.MAX_SAFE_INTEGER;
const SAVE_BATCH = 100;

export interface ReactionCrawlRequest {
  readonly client: GraphClient;
  /** A Page token: other tokens see reactions without who made them */
  readonly token: string;
  readonly postId: string;
  readonly save: (reactions: IndexableReaction[]) => Promise<void>;
  readonly progress?: (pages: number) => void;
}

export interface ReactionCrawlResult {
  readonly pages: number;
  readonly reactions: number;
  /** Listed without an identity (the token is not the Page's) */
  readonly anonymous: number;
}

export async function crawlReactions(request: ReactionCrawlRequest): Promise<ReactionCrawlResult> {
  const reactions = listPageObjectReactions(request.client, request.postId, request.token, { maxPages: NO_PAGE_CAP });
  let pending: IndexableReaction[] = [];
  let count = 0;
  let anonymous = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    await request.save(batch);
    request.progress?.(reactions.pagesFetched);
  };
  for await (const reaction of reactions) {
    count += 1;
    if (!reaction.id && !reaction.name) {
      anonymous += 1;
      continue;
    }
    pending.push({ reactorId: reaction.id, reactorName: reaction.name, type: reaction.type });
    if (pending.length >= SAVE_BATCH) await flush();
  }
  await flush();
  return { pages: reactions.pagesFetched, reactions: count, anonymous };
}
