// What a route handler gets: the request with the version stripped, merged parameters, the
// authenticated token, the state and the clock; plus Meta-style cursor pagination and object access.
import type { FakeReply, RecordedRequest } from '../../support/fake-http-server.js';
import type { FieldSpec } from './fields.js';
import { parseFields, project } from './fields.js';
import type { FakeMetaState, FakeToken } from './state.js';

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

/**
 * How a route authenticates:
 *  - 'token': a valid user/page/system token (and appsecret_proof when required)
 *  - 'app': the app access token `{app-id}|{app-secret}` (debug_token)
 *  - 'none': no token (oauth/access_token authenticates with client_id/client_secret)
 */
export type RouteAuth = 'token' | 'app' | 'none';

export interface FakeMetaContext {
  readonly request: RecordedRequest;
  readonly method: string;
  /** e.g. v26.0 */
  readonly version: string;
  /** Path without the version: /123/comments */
  readonly path: string;
  /** The route pattern's match against `path` */
  readonly match: RegExpExecArray;
  /** Query parameters merged with top-level form/JSON body fields (strings) */
  readonly params: Readonly<Record<string, string>>;
  /** Parsed body (JSON object or form fields) */
  readonly body: Record<string, unknown>;
  /** The authenticated token (undefined for 'none' routes, or the app token for 'app') */
  readonly token: FakeToken | undefined;
  /** The token string as sent */
  readonly accessToken: string | undefined;
  readonly state: FakeMetaState;
  readonly now: number;
  /** Base URL of the fake (for paging.next) */
  readonly baseUrl: string;
  /** Requested fields, or the given defaults */
  fields(defaults: readonly FieldSpec[]): readonly FieldSpec[];
  /** A rendered object narrowed to the requested fields */
  render(full: Record<string, unknown>, defaults: readonly FieldSpec[]): Record<string, unknown>;
  /** Meta-style cursor page of `items` (already rendered) */
  page(items: readonly unknown[], options?: { defaultLimit?: number; maxLimit?: number }): FakeGraphPage;
  /** May the token read/act on any of these object ids? */
  canAccess(...objectIds: (string | undefined)[]): boolean;
}

export interface FakeGraphPage {
  data: unknown[];
  paging?: { cursors: { before: string; after: string }; next?: string; previous?: string };
}

/** Return a reply, or undefined to let the next matching route (e.g. a built-in) answer. */
export type FakeMetaHandler = (context: FakeMetaContext) => FakeReply | undefined | Promise<FakeReply | undefined>;

export interface FakeMetaRoute {
  readonly method: HttpMethod;
  /** Matched against the path WITHOUT the version prefix, e.g. /^\/(\d+)\/comments$/ */
  readonly pattern: RegExp;
  readonly auth: RouteAuth;
  readonly handler: FakeMetaHandler;
}

const encodeCursor = (offset: number) => Buffer.from(`offset:${offset}`).toString('base64url');
const decodeCursor = (cursor: string | undefined): number => {
  if (!cursor) return 0;
  const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? Number(match[1]) : 0;
};

export function createContext(init: {
  request: RecordedRequest;
  method: string;
  version: string;
  path: string;
  match: RegExpExecArray;
  params: Record<string, string>;
  body: Record<string, unknown>;
  token: FakeToken | undefined;
  accessToken: string | undefined;
  state: FakeMetaState;
  now: number;
  baseUrl: string;
}): FakeMetaContext {
  const requested = parseFields(init.params.fields);
  const context: FakeMetaContext = {
    ...init,
    fields: (defaults) => requested ?? defaults,
    render: (full, defaults) => project(full, requested ?? defaults),
    page(items, options = {}) {
      const maxLimit = options.maxLimit ?? 100;
      const requestedLimit = Number(init.params.limit);
      const limit = Number.isInteger(requestedLimit) && requestedLimit > 0 ? Math.min(requestedLimit, maxLimit) : (options.defaultLimit ?? 25);
      const offset = decodeCursor(init.params.after);
      const data = items.slice(offset, offset + limit);
      if (items.length === 0) return { data: [] };
      const end = offset + data.length;
      // Like Meta: cursors are present on every page, the LAST page is the one without `next`,
      // and `next` is a full URL that embeds the access token.
      const paging: NonNullable<FakeGraphPage['paging']> = { cursors: { before: encodeCursor(offset), after: encodeCursor(end) } };
      const link = (cursorName: 'after' | 'before', cursor: string) => {
        const url = new URL(`${init.baseUrl}/${init.version}${init.path}`);
        for (const [key, value] of Object.entries(init.params)) {
          if (key !== 'after' && key !== 'before' && key !== 'appsecret_proof' && key !== 'access_token') url.searchParams.set(key, value);
        }
        if (init.accessToken) url.searchParams.set('access_token', init.accessToken);
        url.searchParams.set(cursorName, cursor);
        return url.toString();
      };
      if (end < items.length) paging.next = link('after', encodeCursor(end));
      if (offset > 0) paging.previous = link('before', encodeCursor(offset));
      return { data, paging };
    },
    canAccess(...objectIds) {
      const assets = init.token?.assets;
      if (!assets) return true;
      return objectIds.some((id) => id !== undefined && assets.includes(id));
    },
  };
  return context;
}
