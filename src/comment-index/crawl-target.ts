// One crawl of a target's comments, newest first, until it reaches what the index already has
// (the watermark: the newest comment time a previous complete crawl saw). Without a watermark it
// pages the whole history (the backfill). There is no page cap: a crawl that stopped early would
// leave the index incomplete, and an incomplete index must never answer "not found"; a crawl that
// cannot finish fails instead, and the claims waiting for it say they could not check. After each
// page whose comments are stored, the crawl checkpoints where it is (the page's cursor, the newest
// comment seen, the Instagram threads whose replies are still to read), so a crawl that failed,
// timed out or was cut short resumes there instead of paging from the newest comment again.
import type { GraphClient } from '../integrations/meta/graph-client.js';
import {
  listInstagramCommentReplies,
  listInstagramComments,
  listPageObjectComments,
  type FacebookComment,
  type InstagramComment,
} from '../integrations/meta/social-reads.js';
import type { IndexableComment } from './index-store.js';
import type { IndexPlatform } from './target-key.js';

/** Meta's times have whole seconds: comments in the watermark's second may be new, so re-read them. */
const WATERMARK_SLACK_MS = 1_000;
const NO_PAGE_CAP = Number.MAX_SAFE_INTEGER;
const SAVE_BATCH = 100;

export interface CrawlRequest {
  readonly client: GraphClient;
  readonly token: string;
  readonly platform: IndexPlatform;
  readonly targetId: string;
  /** Stop paging once comments are older than this; null pages everything */
  readonly watermark: Date | null;
  /** Stores a batch of comments (idempotent) */
  readonly save: (comments: IndexableComment[]) => Promise<void>;
  /** Called after each batch: a heartbeat for long backfills */
  readonly progress?: (pages: number) => void;
  /** Where an earlier, unfinished crawl of the target stopped */
  readonly resume?: CrawlCheckpoint | undefined;
  /** Stores where this crawl is, once every comment before that point is saved */
  readonly checkpoint?: (at: CrawlCheckpoint) => Promise<void>;
}

/** A point an unfinished crawl can resume from. JSON-safe (kept on the index row and in heartbeats). */
export interface CrawlCheckpoint {
  /** Cursor of the first top-level page not yet stored */
  readonly after: string;
  /** ISO time of the newest comment stored so far by this crawl */
  readonly newestSeen?: string | undefined;
  /** Instagram threads (from pages already stored) whose further replies are still to be read */
  readonly threads?: readonly string[] | undefined;
}

export interface CrawlResult {
  readonly pages: number;
  readonly comments: number;
  /** The newest comment time seen (the next crawl's watermark) */
  readonly newestSeen: Date | undefined;
}

export async function crawlTarget(request: CrawlRequest): Promise<CrawlResult> {
  return request.platform === 'INSTAGRAM' ? crawlInstagram(request) : crawlFacebook(request);
}

class Batcher {
  private pending: IndexableComment[] = [];
  count = 0;
  newestSeen: Date | undefined;

  constructor(
    private readonly request: CrawlRequest,
    private readonly pages: () => number,
  ) {
    const resumedNewest = request.resume?.newestSeen ? new Date(request.resume.newestSeen) : undefined;
    if (resumedNewest && !Number.isNaN(resumedNewest.getTime())) this.newestSeen = resumedNewest;
  }

  async add(comment: IndexableComment): Promise<void> {
    this.pending.push(comment);
    this.count += 1;
    if (comment.createdTime && (!this.newestSeen || comment.createdTime > this.newestSeen)) this.newestSeen = comment.createdTime;
    if (this.pending.length >= SAVE_BATCH) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    await this.request.save(batch);
    this.request.progress?.(this.pages());
  }
}

const olderThanWatermark = (time: Date | undefined, watermark: Date | null) =>
  watermark !== null && time !== undefined && time.getTime() < watermark.getTime() - WATERMARK_SLACK_MS;

async function crawlInstagram(request: CrawlRequest): Promise<CrawlResult> {
  const { client, token, targetId, watermark, resume } = request;
  let replyPages = 0;
  const comments = listInstagramComments(client, targetId, token, { maxPages: NO_PAGE_CAP, startAfter: resume?.after });
  const batch = new Batcher(request, () => comments.pagesFetched + replyPages);
  const threadsWithMoreReplies: string[] = [...(resume?.threads ?? [])];
  walk: for await (const page of comments.pages()) {
    for (const comment of page.items) {
      const entry = fromInstagram(comment, undefined);
      // Newest first: everything from here on was indexed by an earlier complete crawl.
      if (olderThanWatermark(entry.createdTime, watermark)) break walk;
      await batch.add(entry);
      for (const reply of comment.replies) await batch.add(fromInstagram(reply, comment.id));
      if (comment.hasMoreReplies) threadsWithMoreReplies.push(comment.id);
    }
    if (page.nextCursor) await checkpoint(request, batch, page.nextCursor, threadsWithMoreReplies);
  }
  for (const threadId of threadsWithMoreReplies) {
    const replies = listInstagramCommentReplies(client, threadId, token, { maxPages: NO_PAGE_CAP });
    for await (const reply of replies) await batch.add(fromInstagram(reply, threadId));
    replyPages += replies.pagesFetched;
  }
  await batch.flush();
  return { pages: comments.pagesFetched + replyPages, comments: batch.count, newestSeen: batch.newestSeen };
}

async function crawlFacebook(request: CrawlRequest): Promise<CrawlResult> {
  const { client, token, targetId, watermark, resume } = request;
  // filter=stream lists replies too, so newest first covers new replies on old threads as well.
  const comments = listPageObjectComments(client, targetId, token, { maxPages: NO_PAGE_CAP, newestFirst: true, startAfter: resume?.after });
  const batch = new Batcher(request, () => comments.pagesFetched);
  walk: for await (const page of comments.pages()) {
    for (const comment of page.items) {
      const entry = fromFacebook(comment);
      if (olderThanWatermark(entry.createdTime, watermark)) break walk;
      await batch.add(entry);
    }
    if (page.nextCursor) await checkpoint(request, batch, page.nextCursor, []);
  }
  await batch.flush();
  return { pages: comments.pagesFetched, comments: batch.count, newestSeen: batch.newestSeen };
}

/** Stores what the pages so far gave, then records that the crawl resumes at `after`. */
async function checkpoint(request: CrawlRequest, batch: Batcher, after: string, threads: readonly string[]): Promise<void> {
  if (!request.checkpoint) return;
  await batch.flush();
  await request.checkpoint({ after, newestSeen: batch.newestSeen?.toISOString(), threads: threads.length > 0 ? [...threads] : undefined });
}

export function fromInstagram(comment: InstagramComment, parentId: string | undefined): IndexableComment {
  return {
    commentId: comment.id,
    parentId,
    authorId: comment.fromId,
    authorName: comment.username,
    text: comment.text,
    createdTime: parseMetaTime(comment.timestamp),
  };
}

export function fromFacebook(comment: FacebookComment): IndexableComment {
  return {
    commentId: comment.id,
    parentId: comment.parentId,
    authorId: comment.from?.id,
    authorName: comment.from?.name,
    text: comment.message,
    createdTime: parseMetaTime(comment.createdTime),
  };
}

/** Meta's "2026-11-30T12:00:00+0000" (or unix seconds in webhooks) as a Date. */
export function parseMetaTime(value: string | number | undefined | null): Date | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const ms = typeof value === 'number' || /^\d{9,12}$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  return Number.isFinite(ms) && ms > 0 ? new Date(ms) : undefined;
}
