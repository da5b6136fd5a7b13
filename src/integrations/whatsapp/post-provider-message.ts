// The one HTTP exchange behind both waapi-style channels (a tenant's custom provider and the platform
// default): POST a JSON body with a Bearer key, then classify what happened into an OutboundError.
//
// Sending is not idempotent and these providers have no idempotency key: one that times out may well
// have delivered the message already ("it sometimes sends before it replies"). So got never retries,
// and every failure says whether the message could have gone out:
//   transient     - it certainly did not (DNS/connect failure or timeout before the body was written,
//                   503 with Retry-After)
//   rate_limited  - 429: the provider refused it
//   auth          - 401/403: the provider refused our key
//   ambiguous     - it may have (timeout or socket error after the body was written, 408, any other
//                   5xx: a gateway's 502 can come after the upstream accepted it): never resend
import { RequestError, TimeoutError, type Agents } from 'got';
import { instrumentedGot } from '../../observability/outbound-http.js';
import { MAX_RESPONSE_BYTES, requestCapped } from '../capped-request.js';
import { OutboundError, retryAfterMsFromHeader, type OutboundErrorKind } from '../outbound-error.js';
import { forbiddenAddressFailure } from './forbidden-address.js';
import { errorCodeIn, extractMessageId, innerErrorOf, parseJsonBody, retryAfterMsInBody } from './provider-response.js';

export type ProviderChannel = 'tenant provider' | 'platform provider';

export interface ProviderSendResult {
  /** The provider's id for the message when its answer carried one */
  readonly providerMessageId: string | undefined;
}

export interface ProviderMessage {
  /** the recipient's E.164 phone, e.g. "+51987654321" (sent to the provider as digits only, see provider-number.ts) */
  readonly number: string;
  /** the text to send */
  readonly message: string;
}

export interface ProviderRequestOptions {
  /** Whole-request timeout (config.outboundHttpTimeoutMs) */
  readonly timeoutMs: number;
}

export interface ProviderRequest {
  readonly channel: ProviderChannel;
  readonly apiUrl: string;
  readonly apiKey: string;
  readonly body: Readonly<Record<string, string>>;
  /** For hosts a tenant chose: agents that refuse private addresses at connect time (outbound-network.ts) */
  readonly agent?: Agents | undefined;
}

const SERVICE = 'whatsapp-provider';
const got = instrumentedGot(SERVICE);
const MAX_DETAIL_LENGTH = 300;
const BEFORE_SENDING = new Set(['lookup', 'connect', 'secureConnect']);

export async function postProviderMessage(request: ProviderRequest, options: ProviderRequestOptions): Promise<ProviderSendResult> {
  const url = checkRequest(request, options);
  let response;
  try {
    // Read at most 64 KiB of the answer: the host may be a tenant's, and anything can answer there.
    response = await requestCapped(
      url,
      {
        method: 'POST',
        agent: request.agent,
        json: request.body,
        headers: { authorization: `Bearer ${request.apiKey}`, accept: 'application/json' },
        timeout: { request: options.timeoutMs },
        retry: { limit: 0 },
        throwHttpErrors: false,
        // A redirected POST may be replayed as a GET or resent elsewhere; a provider URL that redirects is misconfigured.
        followRedirect: false,
        // Parsed here, not by got: a 200 with a body that is not JSON still means the provider took the message.
      },
      MAX_RESPONSE_BYTES,
      got,
    );
  } catch (error) {
    throw forbiddenAddressFailure(error, request.channel) ?? classifyRequestFailure(error, request);
  }
  return interpretAnswer(response.statusCode, response.headers['retry-after'], response.body, request);
}

function checkRequest(request: ProviderRequest, options: ProviderRequestOptions): URL {
  if (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0) throw new RangeError('timeoutMs must be a positive number of milliseconds');
  if (!request.apiKey) {
    throw new OutboundError({ kind: 'auth', service: SERVICE, message: `WhatsApp ${request.channel}: no API key is configured` });
  }
  let url: URL | undefined;
  try {
    url = new URL(request.apiUrl);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new OutboundError({ kind: 'permanent', service: SERVICE, message: `WhatsApp ${request.channel}: the API URL is not an http(s) URL` });
  }
  return url;
}

function interpretAnswer(status: number, retryAfter: string | string[] | undefined, text: string, request: ProviderRequest): ProviderSendResult {
  const body = parseJsonBody(text);
  if (status >= 200 && status < 300) {
    const innerError = innerErrorOf(body);
    if (innerError === undefined) return { providerMessageId: extractMessageId(body) };
    throw failure(request, 'permanent', `reported an error in its HTTP ${status} answer`, { status, providerCode: errorCodeIn(body) });
  }
  // A short classified reason, never the remote body: the message reaches tenants' and end users'
  // views, and the host may be anyone's (a probe once read an internal service's answer back this way).
  const said = `answered HTTP ${status}`;
  const context = { status, providerCode: errorCodeIn(body) };
  if (status === 429) {
    const retryAfterMs = retryAfterMsFromHeader(retryAfter) ?? retryAfterMsInBody(body);
    throw failure(request, 'rate_limited', said, { ...context, retryAfterMs });
  }
  if (status === 401 || status === 403) throw failure(request, 'auth', said, context);
  // A 503 that names a time to come back is the provider refusing the request (overload,
  // maintenance) before acting on it.
  const serviceRetryAfterMs = status === 503 ? retryAfterMsFromHeader(retryAfter) : undefined;
  if (serviceRetryAfterMs !== undefined) {
    throw failure(request, 'transient', `${said} (not sent)`, { ...context, retryAfterMs: serviceRetryAfterMs });
  }
  // Any other 5xx (a gateway's 502/504 included, which may come after the upstream accepted the
  // message) and 408 prove nothing about the message: it may have gone out. Never resend.
  if (status >= 500 || status === 408) throw failure(request, 'ambiguous', `${said} (the message may have been sent; do not resend)`, context);
  throw failure(request, 'permanent', said, context);
}

function classifyRequestFailure(error: unknown, request: ProviderRequest): unknown {
  if (!(error instanceof RequestError)) return error;
  const written = error.timings?.upload !== undefined;
  const beforeSending = !written || (error instanceof TimeoutError && BEFORE_SENDING.has(error.event));
  const what = error instanceof TimeoutError ? `timed out (${error.event})` : `failed (${error.code})`;
  return beforeSending
    ? failure(request, 'transient', `request ${what} before it was sent`, { cause: detachedCause(error, request) })
    : failure(request, 'ambiguous', `request ${what} after it was sent; the message may have been sent, do not resend`, {
        cause: detachedCause(error, request),
      });
}

function failure(
  request: ProviderRequest,
  kind: OutboundErrorKind,
  detail: string,
  extra: { status?: number; providerCode?: number | undefined; retryAfterMs?: number | undefined; cause?: unknown } = {},
): OutboundError {
  const message = `WhatsApp ${request.channel} ${clip(redact(detail, request.apiKey))}`;
  return new OutboundError({ kind, service: SERVICE, message, ...extra });
}

// got's errors carry the request options, Authorization header included, as enumerable properties;
// a logger that serializes `cause` would print the key. Keep the name, code and stack, drop the rest.
function detachedCause(error: RequestError, request: ProviderRequest): Error {
  const cause = new Error(redact(error.message, request.apiKey));
  cause.name = error.name;
  if (error.stack) cause.stack = redact(error.stack, request.apiKey);
  return Object.assign(cause, { code: error.code });
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length <= MAX_DETAIL_LENGTH ? flat : `${flat.slice(0, MAX_DETAIL_LENGTH)}…`;
}

// Providers sometimes echo the credentials they rejected.
function redact(text: string, secret: string): string {
  return secret ? text.split(secret).join('[redacted]') : text;
}
