// Instagram (with Facebook Login) on graph.facebook.com: media comments (top-level only, replies
// through the `replies` field or edge, newest first, ≤50 per page), tags, mentioned_comment /
// mentioned_media lookups, and the nodes themselves. No followers or likers edge exists, so none here.
import type { FakeMetaContext, FakeMetaRoute } from './context.js';
import { fail, failWith, unsupportedRequest } from './errors.js';
import { fieldsOf, type FieldSpec } from './fields.js';
import type { FakeIgComment, FakeIgMedia, FakeIgUser } from './state.js';

const COMMENT_DEFAULTS = fieldsOf('id', 'text', 'timestamp');
const MEDIA_DEFAULTS = fieldsOf('id');
const USER_DEFAULTS = fieldsOf('id');
const ID = '(\\d+(?:_\\d+)?)';

function findComment(context: FakeMetaContext, id: string): FakeIgComment | undefined {
  for (const media of context.state.igMedia.values()) {
    for (const comment of media.comments) {
      if (comment.id === id) return comment;
      const reply = comment.replies.find((candidate) => candidate.id === id);
      if (reply) return reply;
    }
  }
  return undefined;
}

const newestFirst = (a: { timestamp: string }, b: { timestamp: string }) => b.timestamp.localeCompare(a.timestamp);
const visible = (comment: FakeIgComment) => !comment.restricted;

function renderComment(context: FakeMetaContext, comment: FakeIgComment, specs: readonly FieldSpec[] | undefined): Record<string, unknown> {
  const full: Record<string, unknown> = {
    id: comment.id,
    text: comment.text,
    timestamp: comment.timestamp,
    username: comment.username,
    from: { id: comment.fromId, username: comment.username },
    like_count: 0,
    hidden: comment.hidden ?? false,
    media: { id: comment.mediaId },
    ...(comment.parentId ? { parent_id: comment.parentId } : {}),
  };
  const repliesSpec = specs?.find((spec) => spec.name === 'replies');
  if (repliesSpec) {
    // A nested edge: first page inline, the rest through GET /{comment-id}/replies.
    const limit = Number(repliesSpec.modifiers.limit ?? 25);
    const replies = comment.replies.filter(visible);
    const data = replies.slice(0, limit).map((reply) => renderComment(context, reply, undefined));
    const edge: Record<string, unknown> = { data };
    if (replies.length > limit) {
      const next = new URL(`${context.baseUrl}/${context.version}/${comment.id}/replies`);
      if (context.accessToken) next.searchParams.set('access_token', context.accessToken);
      next.searchParams.set('after', Buffer.from(`offset:${limit}`).toString('base64url'));
      edge.paging = {
        cursors: { before: Buffer.from('offset:0').toString('base64url'), after: Buffer.from(`offset:${limit}`).toString('base64url') },
        next: next.toString(),
      };
    }
    full.replies = edge;
  }
  return full;
}

function renderMedia(media: FakeIgMedia): Record<string, unknown> {
  return {
    id: media.id,
    caption: media.caption,
    username: media.username,
    timestamp: media.timestamp,
    permalink: media.permalink,
    media_type: media.mediaType,
    like_count: media.likeCount,
    comments_count: media.comments.length,
    owner: { id: media.ownerId },
  };
}

function accessibleMedia(context: FakeMetaContext, id: string): FakeIgMedia | undefined {
  const media = context.state.igMedia.get(id);
  if (!media) return undefined;
  if (!context.canAccess(media.id, media.ownerId)) failWith(unsupportedRequest(context.method, id));
  return media;
}

function accessibleUser(context: FakeMetaContext, id: string): FakeIgUser | undefined {
  const user = context.state.igUsers.get(id);
  if (!user) return undefined;
  if (!context.canAccess(user.id)) failWith(unsupportedRequest(context.method, id));
  return user;
}

function renderUser(context: FakeMetaContext, user: FakeIgUser): Record<string, unknown> {
  const full: Record<string, unknown> = {
    id: user.id,
    username: user.username,
    name: user.name ?? user.username,
    followers_count: user.followersCount ?? 0,
    media_count: [...context.state.igMedia.values()].filter((media) => media.ownerId === user.id).length,
  };
  for (const spec of context.fields(USER_DEFAULTS)) {
    if (spec.name === 'mentioned_comment') {
      const id = spec.modifiers.comment_id;
      const comment = id && user.mentionedCommentIds.includes(id) ? findComment(context, id) : undefined;
      if (!comment) fail({ message: `(#100) Invalid comment_id: ${id ?? '(none)'} does not mention this account`, code: 100 });
      full.mentioned_comment = renderComment(context, comment, spec.children);
    }
    if (spec.name === 'mentioned_media') {
      const id = spec.modifiers.media_id;
      const media = id && user.mentionedMediaIds.includes(id) ? context.state.igMedia.get(id) : undefined;
      if (!media) fail({ message: `(#100) Invalid media_id: ${id ?? '(none)'} does not mention this account`, code: 100 });
      full.mentioned_media = renderMedia(media);
    }
  }
  return full;
}

export const instagramRoutes: FakeMetaRoute[] = [
  {
    method: 'GET',
    pattern: new RegExp(`^/${ID}/comments$`),
    auth: 'token',
    handler: (context) => {
      const media = accessibleMedia(context, context.match[1] as string);
      if (!media) return undefined; // maybe a Facebook object: let the Pages routes answer
      const specs = context.fields(COMMENT_DEFAULTS);
      const items = media.comments
        .filter(visible)
        .sort(newestFirst)
        .map((comment) => renderComment(context, comment, specs));
      const page = context.page(items, { defaultLimit: 25, maxLimit: 50 });
      return { body: { ...page, data: page.data.map((item) => context.render(item as Record<string, unknown>, COMMENT_DEFAULTS)) } };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/${ID}/replies$`),
    auth: 'token',
    handler: (context) => {
      const comment = findComment(context, context.match[1] as string);
      if (!comment) return undefined;
      const media = accessibleMedia(context, comment.mediaId);
      if (!media) return undefined;
      const items = comment.replies.filter(visible).map((reply) => renderComment(context, reply, undefined));
      const page = context.page(items, { defaultLimit: 25, maxLimit: 50 });
      return { body: { ...page, data: page.data.map((item) => context.render(item as Record<string, unknown>, COMMENT_DEFAULTS)) } };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/${ID}/tags$`),
    auth: 'token',
    handler: (context) => {
      const user = accessibleUser(context, context.match[1] as string);
      if (!user) return undefined;
      const items = user.taggedMediaIds
        .map((id) => context.state.igMedia.get(id))
        .filter((media): media is FakeIgMedia => media !== undefined)
        .sort(newestFirst)
        .map(renderMedia);
      const page = context.page(items, { defaultLimit: 25, maxLimit: 100 });
      return { body: { ...page, data: page.data.map((item) => context.render(item as Record<string, unknown>, MEDIA_DEFAULTS)) } };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/${ID}$`),
    auth: 'token',
    handler: (context) => {
      const id = context.match[1] as string;
      const user = accessibleUser(context, id);
      if (user) return { body: context.render(renderUser(context, user), USER_DEFAULTS) };
      const media = accessibleMedia(context, id);
      if (media) return { body: context.render(renderMedia(media), MEDIA_DEFAULTS) };
      const comment = findComment(context, id);
      if (comment && accessibleMedia(context, comment.mediaId)) {
        return { body: context.render(renderComment(context, comment, context.fields(COMMENT_DEFAULTS)), COMMENT_DEFAULTS) };
      }
      return undefined;
    },
  },
];
