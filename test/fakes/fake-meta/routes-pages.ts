// Facebook Page posts: comments (filter toplevel|stream, order) and reactions. Like Meta since
// 2018, who commented/reacted (`from`, reactor id/name) is only shown to a PAGE token; other
// tokens get the same listing without identities. `/{post-id}/likes` is gone (v8.0), so absent.
import type { FakeMetaContext, FakeMetaRoute } from './context.js';
import { failWith, unsupportedRequest } from './errors.js';
import { fieldsOf } from './fields.js';
import type { FakeFbComment, FakePagePost } from './state.js';

const ID = '(\\d+(?:_\\d+)?)';
const isPageToken = (context: FakeMetaContext) => context.token?.type === 'PAGE';

function accessiblePost(context: FakeMetaContext, id: string): FakePagePost | undefined {
  const post = context.state.pagePosts.get(id);
  if (!post) return undefined;
  if (!context.canAccess(post.id, post.pageId)) failWith(unsupportedRequest(context.method, id));
  return post;
}

function renderComment(context: FakeMetaContext, comment: FakeFbComment): Record<string, unknown> {
  return {
    id: comment.id,
    message: comment.message,
    created_time: comment.createdTime,
    ...(isPageToken(context) ? { from: comment.from } : {}),
    ...(comment.parentId ? { parent: { id: comment.parentId } } : {}),
  };
}

export const pageRoutes: FakeMetaRoute[] = [
  {
    method: 'GET',
    pattern: new RegExp(`^/${ID}/comments$`),
    auth: 'token',
    handler: (context) => {
      const post = accessiblePost(context, context.match[1] as string);
      if (!post) return undefined;
      // Default filter=toplevel hides replies; stream lists everything. Chronological by default.
      let comments = context.params.filter === 'stream' ? [...post.comments] : post.comments.filter((comment) => !comment.parentId);
      comments.sort((a, b) => a.createdTime.localeCompare(b.createdTime));
      if (context.params.order === 'reverse_chronological') comments = comments.reverse();
      const defaults = fieldsOf('created_time', 'from', 'message', 'id');
      const page = context.page(
        comments.map((comment) => renderComment(context, comment)),
        { defaultLimit: 25, maxLimit: 100 },
      );
      return { body: { ...page, data: page.data.map((item) => context.render(item as Record<string, unknown>, defaults)) } };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/${ID}/reactions$`),
    auth: 'token',
    handler: (context) => {
      const post = accessiblePost(context, context.match[1] as string);
      if (!post) return undefined;
      const wanted = context.params.type;
      const reactions = post.reactions
        .filter((reaction) => !wanted || wanted === reaction.type)
        .map((reaction) => (isPageToken(context) ? { id: reaction.id, name: reaction.name, type: reaction.type } : { type: reaction.type }));
      const defaults = fieldsOf('id', 'name', 'type');
      const page = context.page(reactions, { defaultLimit: 25, maxLimit: 100 });
      return { body: { ...page, data: page.data.map((item) => context.render(item as Record<string, unknown>, defaults)) } };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/${ID}$`),
    auth: 'token',
    handler: (context) => {
      const post = accessiblePost(context, context.match[1] as string);
      if (!post) return undefined;
      return {
        body: context.render(
          { id: post.id, message: post.message, created_time: post.createdTime, from: { id: post.pageId, name: 'Page' } },
          fieldsOf('created_time', 'message', 'id'),
        ),
      };
    },
  },
];
