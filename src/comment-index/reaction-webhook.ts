// Facebook Page `feed` changes with item "reaction" go into the reaction index of every tenant
// whose index of that post a crawl has read (readableAt), like comments (apply-comment-change.ts):
// {item: "reaction", verb: add | edit | remove, post_id, from{id, name}, reaction_type,
//  created_time}. A webhook dates the reaction (created_time, else the delivery's time), so a
// reaction added after the task verifies its LIKE claim with no Graph read; a removed one leaves.
import { z } from 'zod';
import type { Database } from '../db/client.js';
import { parseMetaTime } from './crawl-target.js';
import { removeReaction, upsertReactions, type IndexableReaction } from './reaction-store.js';

/** Structurally a ProcessedItem of the webhook result (kind "comment": the index's items). */
export interface ReactionItem {
  readonly kind: 'comment';
  readonly outcome: 'applied' | 'ignored' | 'unmatched';
  readonly tenantId?: string;
  readonly ref?: string;
  readonly detail: string;
}

const id = z.union([z.string().min(1), z.number().transform(String)]);

const reactionSchema = z.object({
  item: z.literal('reaction'),
  verb: z.string().optional(),
  post_id: id.optional(),
  parent_id: id.optional(),
  comment_id: id.optional(),
  reaction_type: z.string().optional(),
  created_time: z.union([z.number(), z.string()]).optional(),
  from: z.object({ id: id.optional(), name: z.string().optional() }).optional(),
});

export async function applyReactionChange(db: Database, value: unknown, entryTime: Date | undefined): Promise<ReactionItem[]> {
  const parsed = reactionSchema.safeParse(value);
  if (!parsed.success)
    return [{ kind: 'comment', outcome: 'unmatched', detail: `malformed feed reaction: ${parsed.error.issues[0]?.message ?? 'invalid'}` }];
  const change = parsed.data;
  // A reaction to a comment names the comment; only reactions to the post itself are "likes" of it.
  if (change.comment_id) return [{ kind: 'comment', outcome: 'ignored', ref: change.comment_id, detail: 'a reaction to a comment, not to the post' }];
  if (!change.post_id) return [{ kind: 'comment', outcome: 'unmatched', detail: 'feed reaction without post_id' }];
  const reaction: IndexableReaction = {
    reactorId: change.from?.id,
    reactorName: change.from?.name,
    type: (change.reaction_type ?? 'like').toUpperCase(),
  };
  const ref = change.from?.id ?? change.post_id;
  if (!reaction.reactorId && !reaction.reactorName) return [{ kind: 'comment', outcome: 'unmatched', ref, detail: 'feed reaction without from' }];
  const targets = await db.commentIndexTarget.findMany({
    where: { platform: 'FACEBOOK', targetId: change.post_id, readableAt: { not: null } },
    select: { id: true, tenantId: true },
  });
  if (targets.length === 0) return [{ kind: 'comment', outcome: 'ignored', ref, detail: `no index watches ${change.post_id}` }];
  const madeAt = parseMetaTime(change.created_time) ?? entryTime ?? new Date();
  const items: ReactionItem[] = [];
  for (const target of targets) {
    if (change.verb === 'remove') {
      const removed = await removeReaction(db, target.id, reaction);
      items.push({
        kind: 'comment',
        outcome: 'applied',
        tenantId: target.tenantId,
        ref,
        detail: removed ? `reaction removed from ${change.post_id}` : `reaction not indexed on ${change.post_id}`,
      });
    } else {
      await upsertReactions(db, target, [reaction], 'WEBHOOK', madeAt, { newReaction: change.verb === 'add' });
      items.push({ kind: 'comment', outcome: 'applied', tenantId: target.tenantId, ref, detail: `reaction indexed on ${change.post_id}` });
    }
  }
  return items;
}
