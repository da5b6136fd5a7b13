// The one door to Meta's Graph API (and the WhatsApp Cloud API, which lives on the same host).
// - Configurable base URL + version path segment: tests point it at the fake Graph server.
// - Explicit timeouts and no retries: Temporal retries activities, so got must not retry under it
//   (a retried message send could reach the user twice).
// - The access token travels in `Authorization: Bearer`, never in the URL, so it cannot surface in
//   proxies, got's error objects or our messages; `appsecret_proof` rides along in the query.
// - Every failure is an OutboundError (service 'meta'); see graph-errors.ts for the taxonomy.
// - Nothing here logs. Error messages are redacted of every credential the call carried.
import type { Response } from 'got';
import { instrumentedGot } from '../../observability/outbound-http.js';
import { OutboundError } from '../outbound-error.js';
import { appAccessToken, appSecretProof } from './appsecret-proof.js';
import {
  errorFromGraphResponse,
  errorFromNetworkFailure,
  errorFromUnreadableSuccess,
  type MetaErrorBody,
  type RequestDescription,
} from './graph-errors.js';
import { GraphPagination, type GraphPage, type GraphParams, type PagedItems, type PageRequest } from './graph-pagination.js';
import type { HeaderBag } from './rate-limit-headers.js';
import { createRedactor, secretParamValues } from './redact.js';

/** got with spans and outbound metrics (src/observability/outbound-http.ts) */
const got = instrumentedGot('meta');

export interface GraphClientOptions {
  /** e.g. https://graph.facebook.com (META_GRAPH_BASE_URL) */
  readonly baseUrl: string;
  /** e.g. v26.0 (META_GRAPH_VERSION) */
  readonly version: string;
  readonly appId?: string | undefined;
  /** When set, every call carrying a token gets appsecret_proof. */
  readonly appSecret?: string | undefined;
  /** Whole-request timeout (config.outboundHttpTimeoutMs). */
  readonly timeoutMs: number;
  /** Awaited before every request: lets a caller pace its calls (comment-index crawls, per tenant). */
  readonly beforeRequest?: (() => Promise<void>) | undefined;
  /** Every response's headers, success or error: Meta's usage headers (X-App-Usage, BUC) ride on both. */
  readonly onResponseHeaders?: ((headers: HeaderBag) => void) | undefined;
}

export type { GraphParamValue, GraphParams, GraphPage } from './graph-pagination.js';
export type { PagedItems } from './graph-pagination.js';

export interface GraphPostOptions {
  /**
   * May this call be repeated after a timeout without doing something twice? Subscribing an app
   * or registering a number: yes. Sending a message: NO (Meta has no idempotency key), so a
   * failure after the request went out is 'ambiguous' instead of 'transient'.
   */
  readonly idempotent: boolean;
  /** WhatsApp Cloud API endpoints take JSON (default); classic Graph edges also accept form fields. */
  readonly encoding?: 'json' | 'form';
}

export interface GraphPaginateOptions {
  /** Hard cap on pages fetched; `stoppedAtPageCap` tells whether it was hit. */
  readonly maxPages: number;
  /** Start at the page this `after` cursor names (a walk resumed from `currentCursor`) */
  readonly startAfter?: string | undefined;
}

export interface GraphClient {
  readonly version: string;
  readonly appId: string | undefined;
  /** GET /{version}{path}. `path` starts with '/' and has no version, e.g. `/123/comments`. */
  get<T>(path: string, params?: GraphParams, accessToken?: string): Promise<T>;
  post<T>(path: string, body: Readonly<Record<string, unknown>> | undefined, accessToken: string | undefined, options: GraphPostOptions): Promise<T>;
  /** Items of a paginated edge (`{data, paging}`), fetched page by page as they are consumed. */
  paginate<T>(path: string, params: GraphParams, accessToken: string | undefined, options: GraphPaginateOptions): PagedItems<T>;
  /** App id and secret for OAuth calls; a permanent OutboundError when they are not configured. */
  appCredentials(): { appId: string; appSecret: string };
  /** `{app-id}|{app-secret}`, the token debug_token requires. */
  appAccessToken(): string;
}

interface SendInit {
  readonly method: 'GET' | 'POST';
  readonly versionedPath: string;
  readonly params: GraphParams;
  readonly body?: Readonly<Record<string, unknown>> | undefined;
  readonly encoding?: 'json' | 'form' | undefined;
  readonly accessToken: string | undefined;
  readonly idempotent: boolean;
}

export function createGraphClient(options: GraphClientOptions): GraphClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const https = baseUrl.startsWith('https:');
  if (!/^v\d+\.\d+$/.test(options.version)) throw new Error(`Graph API version must look like v26.0 (got "${options.version}")`);
  if (!(options.timeoutMs > 0)) throw new Error('timeoutMs must be positive');
  const { appId, appSecret, timeoutMs } = options;
  const versioned = (path: string) => {
    if (!path.startsWith('/')) throw new Error(`Graph path must start with '/' (got "${path}")`);
    return `/${options.version}${path}`;
  };

  async function send<T>(init: SendInit): Promise<T> {
    const proof = init.accessToken && appSecret ? appSecretProof(init.accessToken, appSecret) : undefined;
    const request: RequestDescription = {
      method: init.method,
      path: init.versionedPath,
      idempotent: init.idempotent,
      https,
      redact: createRedactor([init.accessToken, proof, appSecret, ...secretParamValues(init.params), ...secretParamValues(init.body)]),
    };
    const searchParams = new URLSearchParams();
    for (const [key, value] of Object.entries(init.params)) if (value !== undefined) searchParams.set(key, String(value));
    if (proof) searchParams.set('appsecret_proof', proof);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (init.accessToken) headers.authorization = `Bearer ${init.accessToken}`;

    if (options.beforeRequest) await options.beforeRequest();
    let response: Response<string>;
    try {
      response = await got(`${baseUrl}${init.versionedPath}`, {
        method: init.method,
        searchParams,
        headers,
        ...bodyOption(init),
        responseType: 'text',
        throwHttpErrors: false,
        followRedirect: false,
        retry: { limit: 0 },
        // `request` bounds the whole exchange; the connect phases get the same bound so that a
        // timeout before anything was sent is reported as such (see graph-errors.ts).
        timeout: { lookup: timeoutMs, connect: timeoutMs, secureConnect: timeoutMs, request: timeoutMs },
      });
    } catch (error) {
      throw errorFromNetworkFailure(request, error);
    }

    options.onResponseHeaders?.(response.headers);
    const parsed = parseJson(response.body);
    const error = metaError(parsed);
    const ok = response.statusCode >= 200 && response.statusCode < 300;
    if (ok && !error) {
      if (parsed === undefined) throw errorFromUnreadableSuccess(request, response.statusCode);
      return parsed as T;
    }
    throw errorFromGraphResponse(request, { status: response.statusCode, headers: response.headers, error });
  }

  function appCredentials(): { appId: string; appSecret: string } {
    if (!appId || !appSecret) {
      throw new OutboundError({ kind: 'permanent', service: 'meta', message: 'META_APP_ID and META_APP_SECRET must be configured for this call' });
    }
    return { appId, appSecret };
  }

  return {
    version: options.version,
    appId,
    get: <T>(path: string, params: GraphParams = {}, accessToken?: string) =>
      send<T>({ method: 'GET', versionedPath: versioned(path), params, accessToken, idempotent: true }),
    post: <T>(path: string, body: Readonly<Record<string, unknown>> | undefined, accessToken: string | undefined, postOptions: GraphPostOptions) =>
      send<T>({
        method: 'POST',
        versionedPath: versioned(path),
        params: {},
        body,
        encoding: postOptions.encoding,
        accessToken,
        idempotent: postOptions.idempotent,
      }),
    paginate: <T>(path: string, params: GraphParams, accessToken: string | undefined, paginateOptions: GraphPaginateOptions) =>
      new GraphPagination<T>(
        <U>(page: PageRequest) =>
          send<GraphPage<U>>({ method: 'GET', versionedPath: page.versionedPath, params: page.params, accessToken, idempotent: true }),
        { versionedPath: versioned(path), params: paginateOptions.startAfter ? { ...params, after: paginateOptions.startAfter } : params },
        paginateOptions.maxPages,
      ),
    appCredentials,
    appAccessToken: () => {
      const credentials = appCredentials();
      return appAccessToken(credentials.appId, credentials.appSecret);
    },
  };
}

function bodyOption(init: SendInit): { json?: unknown; form?: Record<string, string> } {
  if (init.method !== 'POST' || init.body === undefined) return {};
  if (init.encoding === 'form') {
    // Graph's form convention: nested values are JSON-encoded strings.
    const form: Record<string, string> = {};
    for (const [key, value] of Object.entries(init.body)) {
      if (value === undefined) continue;
      form[key] = typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
    }
    return { form };
  }
  return { json: init.body };
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function metaError(body: unknown): MetaErrorBody | undefined {
  if (!body || typeof body !== 'object' || !('error' in body)) return undefined;
  const error = (body as { error: unknown }).error;
  return error && typeof error === 'object' ? (error as MetaErrorBody) : undefined;
}
