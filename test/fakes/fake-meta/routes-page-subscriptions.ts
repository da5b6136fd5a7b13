// Page webhook subscriptions: a Page installs the app for webhook fields with
// POST /{page-id}/subscribed_apps?subscribed_fields=feed, using a PAGE token of that Page that has
// pages_manage_metadata; GET lists the installed apps; DELETE uninstalls. GET /{page-id} answers
// `instagram_business_account` (the connected IG account, whose comments/mentions webhooks Meta
// delivers only while the Page has the app installed).
import type { FakeMetaContext, FakeMetaRoute } from './context.js';
import { failWith, invalidParameter, metaErrorReply, permissionError } from './errors.js';
import { fieldsOf } from './fields.js';
import type { FakePage, FakeToken } from './state.js';

const ID = '(\\d+)';
const PAGE_FIELDS = new Set(['feed', 'mention', 'messages', 'ratings', 'name', 'picture']);

function page(context: FakeMetaContext): FakePage | undefined {
  return context.state.pages.get(context.match[1] as string);
}

/** Meta: managing a Page's apps needs that Page's own token (code 210), with pages_manage_metadata (200). */
function requirePageToken(context: FakeMetaContext, target: FakePage): FakeToken {
  const token = context.token as FakeToken;
  if (token.type !== 'PAGE' || token.profileId !== target.id) {
    failWith(metaErrorReply({ message: '(#210) A page access token is required to request this resource.', code: 210 }));
  }
  if (!token.scopes.includes('pages_manage_metadata')) failWith(permissionError('The pages_manage_metadata permission is required for this action'));
  return token;
}

export const pageSubscriptionRoutes: FakeMetaRoute[] = [
  {
    method: 'POST',
    pattern: new RegExp(`^/${ID}/subscribed_apps$`),
    auth: 'token',
    handler: (context) => {
      const target = page(context);
      if (!target) return undefined;
      const token = requirePageToken(context, target);
      const raw = context.params.subscribed_fields;
      const fields = String(raw ?? '')
        .split(',')
        .map((field) => field.trim())
        .filter(Boolean);
      if (fields.length === 0) failWith(invalidParameter('The parameter subscribed_fields is required.'));
      const unknown = fields.find((field) => !PAGE_FIELDS.has(field));
      if (unknown) failWith(invalidParameter(`Param subscribed_fields must be one of {${[...PAGE_FIELDS].join(', ')}} - got "${unknown}".`));
      target.subscribedApps.set(token.appId, fields);
      return { body: { success: true } };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/${ID}/subscribed_apps$`),
    auth: 'token',
    handler: (context) => {
      const target = page(context);
      if (!target) return undefined;
      requirePageToken(context, target);
      return { body: { data: [...target.subscribedApps].map(([id, fields]) => ({ id, name: 'Fake Meta App', subscribed_fields: fields })) } };
    },
  },
  {
    method: 'DELETE',
    pattern: new RegExp(`^/${ID}/subscribed_apps$`),
    auth: 'token',
    handler: (context) => {
      const target = page(context);
      if (!target) return undefined;
      const token = requirePageToken(context, target);
      target.subscribedApps.delete(token.appId);
      return { body: { success: true } };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/${ID}$`),
    auth: 'token',
    handler: (context) => {
      const target = page(context);
      if (!target) return undefined;
      if (!context.canAccess(target.id)) failWith(permissionError());
      return {
        body: context.render(
          {
            id: target.id,
            name: target.name,
            ...(target.instagramAccountId ? { instagram_business_account: { id: target.instagramAccountId } } : {}),
          },
          fieldsOf('name', 'id'),
        ),
      };
    },
  },
];
