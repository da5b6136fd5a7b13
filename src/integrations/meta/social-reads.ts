// Reads of Instagram and Facebook Page engagement that the Graph API really offers: comments, reactions and mentions, read by id.
// What is NOT here, on purpose: follower lists (no followers edge), IG likers (only like_count),
// FB post likers (`/{post-id}/likes` removed in v8.0), Page fans, shares. These are listings only;
// deciding whether a claim is proven lives in src/verification.
import type { GraphClient, PagedItems } from './graph-client.js';
import { graphIdSegment } from './graph-ids.js';

export interface PageWalkOptions {
  readonly maxPages: number;
  /** Resume at the page this cursor names (PagedItems.currentCursor of an earlier walk) */
  readonly startAfter?: string | undefined;
}

// ---------------------------------------------------------------- Instagram

export interface InstagramComment {
  readonly id: string;
  readonly text: string | undefined;
  /** Commenter's username (what end users tell us); may change over time */
  readonly username: string | undefined;
  /** Commenter's IGSID (app-scoped) */
  readonly fromId: string | undefined;
  readonly timestamp: string | undefined;
  /** Replies delivered inline with a top-level comment (the comments edge lists top-level only) */
  readonly replies: InstagramComment[];
  /** Meta had more replies than it inlined: read them with listInstagramCommentReplies */
  readonly hasMoreReplies: boolean;
}

interface IgCommentNode {
  id: string;
  text?: string;
  username?: string;
  timestamp?: string;
  from?: { id?: string; username?: string };
  replies?: { data?: IgCommentNode[]; paging?: { next?: string } };
}

const IG_COMMENT_FIELDS = 'id,text,timestamp,username,from{id,username}';
/** IG returns at most 50 comments per page, newest first (v3.2+). */
const IG_COMMENTS_PAGE_SIZE = 50;

function toInstagramComment(node: IgCommentNode): InstagramComment {
  return {
    id: node.id,
    text: node.text,
    username: node.username ?? node.from?.username,
    fromId: node.from?.id,
    timestamp: node.timestamp,
    replies: (node.replies?.data ?? []).map(toInstagramComment),
    hasMoreReplies: Boolean(node.replies?.paging?.next),
  };
}

/**
 * Top-level comments of an IG media, newest first, each with its first page of replies.
 * Meta leaves out comments of restricted users, ad comments and age-gated media.
 */
export function listInstagramComments(client: GraphClient, mediaId: string, token: string, options: PageWalkOptions): PagedItems<InstagramComment> {
  return client
    .paginate<IgCommentNode>(
      `/${graphIdSegment(mediaId, 'IG media id')}/comments`,
      { fields: `${IG_COMMENT_FIELDS},replies{${IG_COMMENT_FIELDS}}`, limit: IG_COMMENTS_PAGE_SIZE },
      token,
      options,
    )
    .map(toInstagramComment);
}

export function listInstagramCommentReplies(
  client: GraphClient,
  commentId: string,
  token: string,
  options: PageWalkOptions,
): PagedItems<InstagramComment> {
  return client
    .paginate<IgCommentNode>(
      `/${graphIdSegment(commentId, 'IG comment id')}/replies`,
      { fields: IG_COMMENT_FIELDS, limit: IG_COMMENTS_PAGE_SIZE },
      token,
      options,
    )
    .map(toInstagramComment);
}

export interface InstagramMedia {
  readonly id: string;
  /** Owner of the media (for /tags: the account that tagged the business) */
  readonly username: string | undefined;
  readonly caption: string | undefined;
  readonly timestamp: string | undefined;
  readonly permalink: string | undefined;
}

interface IgMediaNode {
  id: string;
  username?: string;
  caption?: string;
  timestamp?: string;
  permalink?: string;
}

const IG_MEDIA_FIELDS = 'id,username,caption,timestamp,permalink';

function toInstagramMedia(node: IgMediaNode): InstagramMedia {
  return { id: node.id, username: node.username, caption: node.caption, timestamp: node.timestamp, permalink: node.permalink };
}

/** Media in which the business account was tagged (GET /{ig-user-id}/tags). */
export function listInstagramTaggedMedia(client: GraphClient, igUserId: string, token: string, options: PageWalkOptions): PagedItems<InstagramMedia> {
  return client
    .paginate<IgMediaNode>(`/${graphIdSegment(igUserId, 'IG user id')}/tags`, { fields: IG_MEDIA_FIELDS }, token, options)
    .map(toInstagramMedia);
}

// ---------------------------------------------------------------- Facebook Pages

export interface FacebookComment {
  readonly id: string;
  readonly message: string | undefined;
  readonly createdTime: string | undefined;
  /** Only present when read with a Page token (Meta hides commenters from other tokens since 2018). */
  readonly from: { id: string; name: string } | undefined;
  /** Set on replies */
  readonly parentId: string | undefined;
}

interface FbCommentNode {
  id: string;
  message?: string;
  created_time?: string;
  from?: { id?: string; name?: string };
  parent?: { id?: string };
}

/**
 * Comments on a Page post (or photo/video), replies included: `filter=stream` flattens the thread
 * (the default `toplevel` would hide replies), oldest first unless `newestFirst`.
 */
export function listPageObjectComments(
  client: GraphClient,
  objectId: string,
  pageToken: string,
  options: PageWalkOptions & { readonly newestFirst?: boolean },
): PagedItems<FacebookComment> {
  return client
    .paginate<FbCommentNode>(
      `/${graphIdSegment(objectId, 'post id')}/comments`,
      {
        fields: 'id,message,created_time,from{id,name},parent{id}',
        filter: 'stream',
        limit: 100,
        // Newest first lets an incremental crawl stop where the index already is.
        ...(options.newestFirst ? { order: 'reverse_chronological' } : {}),
      },
      pageToken,
      options,
    )
    .map((node) => ({
      id: node.id,
      message: node.message,
      createdTime: node.created_time,
      from: node.from?.id && node.from.name ? { id: node.from.id, name: node.from.name } : undefined,
      parentId: node.parent?.id,
    }));
}

export interface FacebookReaction {
  /** Reactor identity: only with a Page token */
  readonly id: string | undefined;
  readonly name: string | undefined;
  /** LIKE, LOVE, WOW, HAHA, SAD, ANGRY, CARE */
  readonly type: string;
}

/** Reactions on a Page post (the `/likes` edge of posts is gone; reactions replaced it). */
export function listPageObjectReactions(
  client: GraphClient,
  objectId: string,
  pageToken: string,
  options: PageWalkOptions,
): PagedItems<FacebookReaction> {
  return client
    .paginate<{ id?: string; name?: string; type?: string }>(
      `/${graphIdSegment(objectId, 'post id')}/reactions`,
      { fields: 'id,name,type', limit: 100 },
      pageToken,
      options,
    )
    .map((node) => ({ id: node.id, name: node.name, type: node.type ?? 'LIKE' }));
}
