// A stateful fake of Meta's Graph API (Instagram, Pages, WhatsApp Business/Cloud API, OAuth) as a
// real HTTP server on 127.0.0.1. It answers like Meta: versioned paths, Meta's error envelope and
// codes, token expiry/revocation (190 + subcodes), appsecret_proof, cursor pagination whose `next`
// embeds the token, throttling with the real usage headers. Other tests extend it without editing
// it: seed `state`, add or shadow endpoints with `override`, inject failures with `failNext`, and
// assert on `graphRequests()` / `state.sentMessages`.
import { createHmac } from 'node:crypto';
import { startFakeHttpServer, type FakeReply, type RecordedRequest } from '../../support/fake-http-server.js';
import { createContext, type FakeMetaHandler, type FakeMetaRoute, type HttpMethod, type RouteAuth } from './context.js';
import {
  FakeGraphError,
  invalidAppSecretProof,
  invalidToken,
  metaErrorReply,
  missingAppSecretProof,
  missingToken,
  tokenError,
  unsupportedRequest,
  type MetaErrorInit,
} from './errors.js';
import { instagramRoutes } from './routes-instagram.js';
import { oauthRoutes, tokenProblem } from './routes-oauth.js';
import { pageSubscriptionRoutes } from './routes-page-subscriptions.js';
import { pageRoutes } from './routes-pages.js';
import { whatsappRoutes, type ServiceWindowMode } from './routes-whatsapp.js';
import { createSeeders, type FakeMetaClock, type FakeMetaSeeders } from './seed.js';
import { createState, type FakeMetaState, type FakeSentMessage, type FakeToken } from './state.js';
import { startStatusWebhooks, type StatusWebhookOptions, type StatusWebhookSender } from './status-webhooks.js';

export interface FakeMetaOptions {
  appId?: string;
  /** Default 'fake-meta-app-secret'. client_secret and app tokens are checked against it. */
  appSecret?: string;
  /**
   * Reject token-bearing calls without appsecret_proof ("Require App Secret"). Default: true when
   * an appSecret was given. A proof that is present is always checked.
   */
  requireAppSecretProof?: boolean;
  /** 'enforce' (default): free-form text outside the 24 h window fails with 131047, as Meta does. */
  serviceWindow?: ServiceWindowMode;
  /** The version tests build paths with (the fake serves any /vNN.N/). Default v26.0. */
  version?: string;
}

export interface FakeFault {
  method?: string;
  /** The path WITHOUT version: exact string or RegExp (e.g. /\/messages$/). Omit to match all. */
  path?: string | RegExp;
  /** How many matching requests to affect (default 1) */
  times?: number;
  /** Replace the answer (nothing of the request is carried out)... */
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** ...or Meta's error body `{error: {...}}` (status default 400) */
  error?: MetaErrorInit;
  /**
   * Answer this much later. Alone, the request IS carried out (e.g. the message is recorded) and
   * only the answer is late: what a lost response looks like to a client with a shorter timeout.
   */
  delayMs?: number;
}

export interface FaultHandle {
  readonly hits: number;
  readonly remaining: number;
  cancel(): void;
}

export interface GraphRequestRecord {
  readonly method: string;
  readonly version: string | undefined;
  /** Without the version: /123/comments */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: RecordedRequest['headers'];
  readonly body: unknown;
  /** The token the request carried, wherever it was */
  readonly accessToken: string | undefined;
  readonly tokenSource: 'header' | 'query' | 'body' | undefined;
  readonly appsecretProof: string | undefined;
  readonly raw: RecordedRequest;
}

export interface FakeMeta extends FakeMetaSeeders {
  /** Base URL for META_GRAPH_BASE_URL */
  readonly url: string;
  readonly version: string;
  readonly appId: string;
  readonly appSecret: string;
  readonly state: FakeMetaState;
  readonly clock: FakeMetaClock;
  /** Every request as received (versioned paths) */
  readonly requests: RecordedRequest[];
  /** Requests with the version stripped and the token/proof extracted; filter by method and path */
  graphRequests(filter?: { method?: string; path?: string | RegExp }): GraphRequestRecord[];
  /** Messages Meta accepted (state.sentMessages) */
  readonly sentMessages: FakeSentMessage[];
  /** The app access token `{app-id}|{app-secret}` */
  readonly appAccessToken: string;
  /** Spread into createGraphClient({ ...fake.clientOptions, timeoutMs }) or config.meta */
  readonly clientOptions: { baseUrl: string; version: string; appId: string; appSecret: string };
  /** The appsecret_proof Meta expects for a token */
  proofFor(token: string): string;
  failNext(fault: FakeFault): FaultHandle;
  /**
   * Meta's usage headers on every answer from now on (undefined stops them): `app` becomes
   * X-App-Usage, `buc` X-Business-Use-Case-Usage for `objectId` (percentages; regain in minutes).
   */
  setUsage(usage: { app?: FakeUsage; buc?: FakeUsage & { objectId: string; estimated_time_to_regain_access?: number } } | undefined): void;
  /**
   * Adds (or shadows) an endpoint. Checked before the built-ins, newest first; return undefined
   * from the handler to fall through. `pattern` matches the path without version. Auth defaults to
   * 'token' (valid token + appsecret_proof enforced before the handler runs). Returns a remover.
   */
  override(method: HttpMethod, pattern: RegExp, handler: FakeMetaHandler, options?: { auth?: RouteAuth }): () => void;
  /**
   * From now on, POST Meta's status webhooks for every message accepted (signed, echoing
   * biz_opaque_callback_data, retried while the receiver is down); undefined stops. Returns the
   * sender (how many were delivered).
   */
  sendStatusWebhooks(options: StatusWebhookOptions | undefined): StatusWebhookSender | undefined;
  close(): Promise<void>;
}

export interface FakeUsage {
  call_count: number;
  total_cputime: number;
  total_time: number;
}

interface ActiveFault extends FakeFault {
  left: number;
  hits: number;
}

const VERSIONED = /^\/(v\d+\.\d+)(\/.*)$/;

function extractToken(request: RecordedRequest): { token: string | undefined; source: GraphRequestRecord['tokenSource'] } {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^(?:Bearer|OAuth)\s+(.+)$/i.exec(header) : null;
  if (match) return { token: match[1], source: 'header' };
  const query = request.query.get('access_token');
  if (query) return { token: query, source: 'query' };
  const body = bodyObject(request).access_token;
  if (typeof body === 'string') return { token: body, source: 'body' };
  return { token: undefined, source: undefined };
}

function bodyObject(request: RecordedRequest): Record<string, unknown> {
  return request.body && typeof request.body === 'object' && !Array.isArray(request.body) ? (request.body as Record<string, unknown>) : {};
}

function mergedParams(request: RecordedRequest): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of request.query) params[key] = value;
  for (const [key, value] of Object.entries(bodyObject(request))) {
    if (['string', 'number', 'boolean'].includes(typeof value)) params[key] = String(value);
  }
  return params;
}

export async function startFakeMeta(options: FakeMetaOptions = {}): Promise<FakeMeta> {
  const appId = options.appId ?? '100000000000001';
  const appSecret = options.appSecret ?? 'fake-meta-app-secret';
  const requireProof = options.requireAppSecretProof ?? options.appSecret !== undefined;
  const state = createState(appId, appSecret);
  let offsetMs = 0;
  const clock: FakeMetaClock = {
    now: () => Date.now() + offsetMs,
    advance: (ms) => {
      offsetMs += ms;
    },
  };
  const appToken = `${appId}|${appSecret}`;
  const proofFor = (token: string) => createHmac('sha256', appSecret).update(token).digest('hex');
  const faults: ActiveFault[] = [];
  const overrides: FakeMetaRoute[] = [];
  const builtIns: FakeMetaRoute[] = [
    ...oauthRoutes,
    ...instagramRoutes,
    ...pageSubscriptionRoutes,
    ...pageRoutes,
    ...whatsappRoutes({ serviceWindow: options.serviceWindow ?? 'enforce' }),
  ];

  let usageHeaders: Record<string, string> | undefined;
  let statusWebhooks: StatusWebhookSender | undefined;

  function takeFault(method: string, path: string): ActiveFault | undefined {
    const fault = faults.find(
      (candidate) =>
        candidate.left > 0 &&
        (!candidate.method || candidate.method.toUpperCase() === method) &&
        (candidate.path === undefined || (typeof candidate.path === 'string' ? candidate.path === path : candidate.path.test(path))),
    );
    if (fault) {
      fault.left -= 1;
      fault.hits += 1;
    }
    return fault;
  }

  /** The token of an authenticated request, or Meta's refusal. */
  function authenticate(auth: RouteAuth, request: RecordedRequest): { token: FakeToken | undefined } | FakeReply {
    if (auth === 'none') return { token: undefined };
    const { token } = extractToken(request);
    if (!token) return missingToken();
    const proof = request.query.get('appsecret_proof') ?? (bodyObject(request).appsecret_proof as string | undefined);
    if (token === appToken) {
      // App tokens contain the secret: Meta does not demand a proof for them, but checks one if sent.
      if (proof !== undefined && proof !== proofFor(token)) return invalidAppSecretProof();
      return {
        token: {
          token,
          type: 'APP',
          appId,
          userId: appId,
          scopes: [],
          granularScopes: [],
          issuedAt: 0,
          expiresAt: 0,
          dataAccessExpiresAt: 0,
          assets: [],
        },
      };
    }
    const record = state.tokens.get(token);
    if (auth === 'app') {
      if (!record) return invalidToken();
      return metaErrorReply({
        message: '(#100) You must provide an app access token, or a user access token that is an owner or developer of the app',
        code: 100,
      });
    }
    if (!record) return invalidToken();
    const problem = tokenProblem(record, clock.now());
    if (problem) return tokenError(problem, appId, record.expiresAt);
    if (proof === undefined && requireProof) return missingAppSecretProof();
    if (proof !== undefined && proof !== proofFor(token)) return invalidAppSecretProof();
    return { token: record };
  }

  async function route(request: RecordedRequest, version: string, path: string): Promise<FakeReply> {
    const authCache = new Map<RouteAuth, ReturnType<typeof authenticate>>();
    for (const candidate of [...overrides, ...builtIns]) {
      if (candidate.method !== request.method) continue;
      const match = candidate.pattern.exec(path);
      if (!match) continue;
      if (!authCache.has(candidate.auth)) authCache.set(candidate.auth, authenticate(candidate.auth, request));
      const auth = authCache.get(candidate.auth) as ReturnType<typeof authenticate>;
      if (!('token' in auth)) return auth;
      const context = createContext({
        request,
        method: request.method,
        version,
        path,
        match,
        params: mergedParams(request),
        body: bodyObject(request),
        token: auth.token,
        accessToken: extractToken(request).token,
        state,
        now: clock.now(),
        baseUrl: server.url,
      });
      try {
        const reply = await candidate.handler(context);
        if (reply) return reply;
      } catch (error) {
        if (error instanceof FakeGraphError) return error.reply;
        throw error;
      }
    }
    return unsupportedRequest(request.method, path.split('/')[1] ?? path);
  }

  async function handle(request: RecordedRequest): Promise<FakeReply> {
    const versioned = VERSIONED.exec(request.path);
    if (!versioned) {
      return metaErrorReply({
        message: `Unknown path components: ${request.path} (fake-meta serves versioned paths only, e.g. /v26.0/...)`,
        code: 2500,
      });
    }
    const [, version, path] = versioned as unknown as [string, string, string];
    const fault = takeFault(request.method, path);
    if (fault && (fault.status !== undefined || fault.body !== undefined || fault.error !== undefined)) {
      const reply: FakeReply = fault.error
        ? metaErrorReply(fault.error, fault.status ?? 400, fault.headers)
        : { status: fault.status ?? 200, body: fault.body, ...(fault.headers ? { headers: fault.headers } : {}) };
      if (fault.delayMs) await delay(fault.delayMs);
      return reply;
    }
    const acceptedBefore = state.sentMessages.length;
    const routed = await route(request, version, path);
    // Statuses are due from acceptance, even if the answer below is late or never read.
    for (const message of state.sentMessages.slice(acceptedBefore)) statusWebhooks?.accepted(message);
    // Meta's usage headers ride on every answer once set (fake.setUsage).
    const reply: FakeReply = usageHeaders ? { ...routed, headers: { ...usageHeaders, ...routed.headers } } : routed;
    if (fault?.delayMs) await delay(fault.delayMs);
    return reply;
  }

  // Delays are timed here rather than by the HTTP helper so close() can cut them short: a test
  // that provoked a client timeout must not keep jest alive until the late answer is due.
  const pendingDelays = new Set<() => void>();
  function delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        pendingDelays.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      pendingDelays.add(done);
    });
  }

  const server = await startFakeHttpServer(handle);
  const seeders = createSeeders(state, clock);

  return {
    ...seeders,
    url: server.url,
    version: options.version ?? 'v26.0',
    appId,
    appSecret,
    state,
    clock,
    requests: server.requests,
    sentMessages: state.sentMessages,
    appAccessToken: appToken,
    clientOptions: { baseUrl: server.url, version: options.version ?? 'v26.0', appId, appSecret },
    proofFor,
    graphRequests(filter = {}) {
      return server.requests
        .map((raw): GraphRequestRecord => {
          const versioned = VERSIONED.exec(raw.path);
          const { token, source } = extractToken(raw);
          return {
            method: raw.method,
            version: versioned?.[1],
            path: versioned?.[2] ?? raw.path,
            query: raw.query,
            headers: raw.headers,
            body: raw.body,
            accessToken: token,
            tokenSource: source,
            appsecretProof: raw.query.get('appsecret_proof') ?? (bodyObject(raw).appsecret_proof as string | undefined),
            raw,
          };
        })
        .filter(
          (record) =>
            (!filter.method || record.method === filter.method.toUpperCase()) &&
            (filter.path === undefined || (typeof filter.path === 'string' ? record.path === filter.path : filter.path.test(record.path))),
        );
    },
    setUsage(usage) {
      if (!usage) {
        usageHeaders = undefined;
        return;
      }
      const headers: Record<string, string> = {};
      if (usage.app) headers['x-app-usage'] = JSON.stringify(usage.app);
      if (usage.buc) {
        const { objectId, ...entry } = usage.buc;
        headers['x-business-use-case-usage'] = JSON.stringify({ [objectId]: [{ type: 'instagram', ...entry }] });
      }
      usageHeaders = headers;
    },
    failNext(fault) {
      const active: ActiveFault = { ...fault, left: fault.times ?? 1, hits: 0 };
      faults.push(active);
      return {
        get hits() {
          return active.hits;
        },
        get remaining() {
          return active.left;
        },
        cancel: () => {
          active.left = 0;
        },
      };
    },
    override(method, pattern, handler, overrideOptions = {}) {
      const entry: FakeMetaRoute = { method, pattern, handler, auth: overrideOptions.auth ?? 'token' };
      overrides.unshift(entry);
      return () => {
        const index = overrides.indexOf(entry);
        if (index >= 0) overrides.splice(index, 1);
      };
    },
    sendStatusWebhooks(webhookOptions) {
      statusWebhooks?.close();
      statusWebhooks = webhookOptions ? startStatusWebhooks(state, webhookOptions) : undefined;
      return statusWebhooks;
    },
    close: async () => {
      statusWebhooks?.close();
      for (const finish of [...pendingDelays]) finish();
      await server.close();
    },
  };
}

export { metaErrorReply, rateLimitReply, whatsappError, type MetaErrorInit, type RateLimitInit } from './errors.js';
export type { FakeMetaContext, FakeMetaHandler, FakeMetaRoute, HttpMethod, RouteAuth } from './context.js';
export type { FieldSpec } from './fields.js';
export type * from './state.js';
export type { FakeMetaClock } from './seed.js';
export type { StatusWebhookOptions, StatusWebhookSender } from './status-webhooks.js';
