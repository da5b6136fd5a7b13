// Comments that Meta's webhooks announce go straight into the comment index of every tenant that
// watches the target, so a claim about them verifies without a Graph read:
//  - Instagram `comments`: {id, text, from{id, username}, media{id}, parent_id?}; the time is the
//    entry's (the value carries none).
//  - Facebook Page `feed` with item "comment": {comment_id, post_id, parent_id, from{id, name},
//    message, created_time, verb add|edited|remove|hide|unhide}; a removed or hidden comment
//    leaves the index (it no longer proves anything).
//  - Instagram `mentions`: {media_id, comment_id} names no author; a mention on a watched media is
//    also delivered as a `comments` change, so it is noted, not fetched.
// Only indexes whose target a crawl has read with the tenant's (or platform's) credentials are
// filled: a tenant cannot collect another account's comments by naming its media as a target.
import { z } from 'zod';
import { parseMetaTime } from '../comment-index/crawl-target.js';
import { removeComment, upsertComments, type IndexableComment } from '../comment-index/index-store.js';
import { applyReactionChange } from '../comment-index/reaction-webhook.js';
import type { IndexPlatform } from '../comment-index/target-key.js';
import type { Database } from '../db/client.js';
import { zodProblem } from './meta-payload.js';
import type { ProcessedItem } from './processing-result.js';

export const COMMENT_FIELDS = new Set(['comments', 'mentions', 'feed']);

const id = z.union([z.string().min(1), z.number().transform(String)]);

const instagramCommentSchema = z.object({
  id,
  text: z.string().optional(),
  parent_id: id.optional(),
  from: z.object({ id: id.optional(), username: z.string().optional() }).optional(),
  media: z.object({ id }),
});

const feedSchema = z.object({
  item: z.string(),
  verb: z.string().optional(),
  post_id: id.optional(),
  comment_id: id.optional(),
  parent_id: id.optional(),
  message: z.string().optional(),
  created_time: z.union([z.number(), z.string()]).optional(),
  from: z.object({ id: id.optional(), name: z.string().optional() }).optional(),
});

const mentionSchema = z.object({ media_id: id.optional(), comment_id: id.optional() });

export async function applyCommentChange(db: Database, field: string, value: unknown, entryTime: Date | undefined): Promise<ProcessedItem[]> {
  if (field === 'comments') {
    const parsed = instagramCommentSchema.safeParse(value);
    if (!parsed.success) return [{ kind: 'comment', outcome: 'unmatched', detail: `malformed Instagram comment: ${zodProblem(parsed.error)}` }];
    const comment = parsed.data;
    return upsertIntoWatchers(db, 'INSTAGRAM', comment.media.id, {
      commentId: comment.id,
      parentId: comment.parent_id,
      authorId: comment.from?.id,
      authorName: comment.from?.username,
      text: comment.text,
      createdTime: entryTime,
    });
  }
  if (field === 'feed') {
    const parsed = feedSchema.safeParse(value);
    if (!parsed.success) return [{ kind: 'comment', outcome: 'unmatched', detail: `malformed feed change: ${zodProblem(parsed.error)}` }];
    const change = parsed.data;
    if (change.item === 'reaction') return applyReactionChange(db, value, entryTime);
    if (change.item !== 'comment') return [{ kind: 'comment', outcome: 'ignored', detail: `feed item "${change.item}" is not indexed` }];
    if (!change.post_id || !change.comment_id)
      return [{ kind: 'comment', outcome: 'unmatched', detail: 'feed comment without post_id or comment_id' }];
    if (change.verb === 'remove' || change.verb === 'hide') return removeFromWatchers(db, change.post_id, change.comment_id);
    return upsertIntoWatchers(db, 'FACEBOOK', change.post_id, {
      commentId: change.comment_id,
      // Meta names the post as the parent of a top-level comment.
      parentId: change.parent_id && change.parent_id !== change.post_id ? change.parent_id : undefined,
      authorId: change.from?.id,
      authorName: change.from?.name,
      text: change.message,
      createdTime: parseMetaTime(change.created_time) ?? entryTime,
    });
  }
  const mention = mentionSchema.safeParse(value);
  const ref = mention.success ? (mention.data.comment_id ?? mention.data.media_id) : undefined;
  return [
    {
      kind: 'comment',
      outcome: 'ignored',
      ...(ref ? { ref } : {}),
      detail: 'a mention names no author; comments on watched media arrive through the comments field',
    },
  ];
}

/** The readable indexes of this target, across tenants. */
function watchers(db: Database, platform: IndexPlatform, targetId: string) {
  return db.commentIndexTarget.findMany({ where: { platform, targetId, readableAt: { not: null } }, select: { id: true, tenantId: true } });
}

async function upsertIntoWatchers(db: Database, platform: IndexPlatform, targetId: string, comment: IndexableComment): Promise<ProcessedItem[]> {
  const targets = await watchers(db, platform, targetId);
  if (targets.length === 0) return [{ kind: 'comment', outcome: 'ignored', ref: comment.commentId, detail: `no comment index watches ${targetId}` }];
  const items: ProcessedItem[] = [];
  for (const target of targets) {
    await upsertComments(db, target, [comment], 'WEBHOOK');
    items.push({ kind: 'comment', outcome: 'applied', tenantId: target.tenantId, ref: comment.commentId, detail: `indexed on ${targetId}` });
  }
  return items;
}

async function removeFromWatchers(db: Database, postId: string, commentId: string): Promise<ProcessedItem[]> {
  const targets = await watchers(db, 'FACEBOOK', postId);
  if (targets.length === 0) return [{ kind: 'comment', outcome: 'ignored', ref: commentId, detail: `no comment index watches ${postId}` }];
  const items: ProcessedItem[] = [];
  for (const target of targets) {
    const removed = await removeComment(db, target.id, commentId);
    items.push({
      kind: 'comment',
      outcome: 'applied',
      tenantId: target.tenantId,
      ref: commentId,
      detail: removed ? `removed from ${postId}` : `not indexed on ${postId}`,
    });
  }
  return items;
}
