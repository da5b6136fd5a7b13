// Meta's error dialect → OutboundError. Classification is by Meta's `code` first, HTTP status
// second: Meta's HTTP status for the same condition varies (throttling has been seen as 400, 403
// and 429; most OAuthExceptions are 400), while the codes are documented and stable (190 token,
// 4/17/32/613/80007 throttling, 100 bad parameter, 10/200 permission).
import { RequestError, TimeoutError } from 'got';
import { OutboundError, retryAfterMsFromHeader, type OutboundErrorKind } from '../outbound-error.js';
import { retryAfterMsFromMetaHeaders, type HeaderBag } from './rate-limit-headers.js';
import type { Redactor } from './redact.js';

/** `{ error: {...} }` as Meta sends it (Graph and WhatsApp Cloud API alike). */
export interface MetaErrorBody {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  error_user_title?: string;
  error_user_msg?: string;
  error_data?: { details?: string; messaging_product?: string } | string;
  is_transient?: boolean;
  fbtrace_id?: string;
}

/** Throttling: Platform (4, 17, 32, 341, 613), BUC (80000-80014), WhatsApp throughput and pair rate. */
const RATE_LIMIT_CODES = new Set([
  4, 17, 32, 341, 613, 80000, 80001, 80002, 80003, 80004, 80005, 80006,
  // 80007 (WhatsApp error page) vs 80008 (Graph rate-limit page) name the same WABA limit: take both.
  80007, 80008, 80009, 80014, 130429, 131056,
]);

/** Credentials rejected or lacking a permission: retrying is useless until the tenant reconnects. */
const AUTH_CODES = new Set([0, 3, 10, 102, 190, 452]);
const isPermissionCode = (code: number) => code >= 200 && code <= 299;

/** Meta says: wait and retry. 133015 (number recently deleted) asks for 5 minutes. */
const TRANSIENT_CODES = new Set([1, 2, 131000, 131016, 131057, 133004, 133015, 2494100]);

/** Pair rate limit: 1 message per 6 s to the same user; Meta recommends backing off 4^X s. */
const PAIR_RATE_LIMIT_CODE = 131056;
const PAIR_RATE_MIN_WAIT_MS = 6_000;
const RECENTLY_DELETED_CODE = 133015;
const RECENTLY_DELETED_WAIT_MS = 5 * 60_000;

export function classifyMetaErrorCode(code: number | undefined, isTransient: boolean | undefined): OutboundErrorKind | undefined {
  if (code !== undefined) {
    if (RATE_LIMIT_CODES.has(code)) return 'rate_limited';
    if (AUTH_CODES.has(code) || isPermissionCode(code)) return 'auth';
    if (TRANSIENT_CODES.has(code)) return 'transient';
  }
  if (isTransient === true) return 'transient';
  return undefined;
}

export interface RequestDescription {
  readonly method: string;
  /** Versioned path, no query: ids only, never credentials */
  readonly path: string;
  /** false for calls that must not be repeated after they may have reached Meta (send message) */
  readonly idempotent: boolean;
  readonly redact: Redactor;
  /** The base URL's scheme: over TLS nothing is sent before the handshake completes */
  readonly https: boolean;
}

/** Meta answered, with an error body and/or a non-2xx status. */
export function errorFromGraphResponse(
  request: RequestDescription,
  response: { status: number; headers: HeaderBag; error: MetaErrorBody | undefined },
): OutboundError {
  const { status, headers, error } = response;
  const code = typeof error?.code === 'number' ? error.code : undefined;
  const subcode = typeof error?.error_subcode === 'number' ? error.error_subcode : undefined;
  let kind = classifyMetaErrorCode(code, error?.is_transient);
  let retryAfterMs = retryAfterMsFromMetaHeaders(headers);
  // A 503 naming a time to come back is a refusal before acting, even for a send.
  if (!kind && status === 503 && retryAfterMsFromHeader(headers['retry-after']) !== undefined) kind = 'transient';
  if (!kind) kind = kindFromStatus(status, error !== undefined, request.idempotent);

  if (code === PAIR_RATE_LIMIT_CODE) retryAfterMs = Math.max(retryAfterMs ?? 0, PAIR_RATE_MIN_WAIT_MS);
  if (code === RECENTLY_DELETED_CODE) retryAfterMs = Math.max(retryAfterMs ?? 0, RECENTLY_DELETED_WAIT_MS);

  const codeText = code === undefined ? '' : `, code ${code}${subcode === undefined ? '' : `/${subcode}`}${error?.type ? ` ${error.type}` : ''}`;
  const details = typeof error?.error_data === 'object' ? error.error_data.details : undefined;
  const metaText = [error?.message, details].filter(Boolean).join(' – ') || 'no Meta error body';
  return new OutboundError({
    kind,
    service: 'meta',
    message: request.redact(`Meta ${request.method} ${request.path} failed (HTTP ${status}${codeText}): ${metaText}`),
    status,
    providerCode: code,
    providerSubcode: subcode,
    retryAfterMs,
  });
}

function kindFromStatus(status: number, hasMetaBody: boolean, idempotent: boolean): OutboundErrorKind {
  if (status === 429) return 'rate_limited';
  if (status === 401) return 'auth';
  if (status === 408) return idempotent ? 'transient' : 'ambiguous';
  if (status >= 500) {
    // A bare 502/504 comes from a gateway that may have passed the request on: a message may
    // have been sent. A 5xx carrying Meta's own error body is Meta saying "not done".
    return hasMetaBody || idempotent ? 'transient' : 'ambiguous';
  }
  return 'permanent';
}

/** A 2xx whose body we cannot read: for a send, Meta may well have accepted it. */
export function errorFromUnreadableSuccess(request: RequestDescription, status: number): OutboundError {
  return new OutboundError({
    kind: request.idempotent ? 'transient' : 'ambiguous',
    service: 'meta',
    message: `Meta ${request.method} ${request.path} answered HTTP ${status} with a body that is not the expected JSON`,
    status,
  });
}

const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);
const BEFORE_SEND_TIMEOUT_EVENTS = new Set(['lookup', 'connect', 'secureConnect']);

/**
 * No usable response: timeout, refused or reset connection. Whether the request may have reached
 * Meta decides between 'transient' and 'ambiguous' for non-idempotent calls: got's TimeoutError
 * names the phase, and its timings tell whether the request was fully written to a connected socket.
 */
export function errorFromNetworkFailure(request: RequestDescription, error: unknown): OutboundError {
  const code = error instanceof RequestError ? error.code : undefined;
  const mayHaveBeenSent = !request.idempotent && requestMayHaveReachedServer(request, error);
  const kind: OutboundErrorKind = mayHaveBeenSent ? 'ambiguous' : 'transient';
  const what = error instanceof TimeoutError ? `timed out (${error.event})` : `network error (${code ?? 'unknown'})`;
  const message = request.redact(
    `Meta ${request.method} ${request.path} ${what}${kind === 'ambiguous' ? ' after the request was sent: it may have been carried out' : ''}`,
  );
  return new OutboundError({ kind, service: 'meta', message, cause: sanitizedCause(error, request.redact) });
}

function requestMayHaveReachedServer(request: RequestDescription, error: unknown): boolean {
  if (!(error instanceof RequestError)) return true; // unknown shape: assume the worst
  if (NEVER_CONNECTED.has(error.code)) return false;
  if (error instanceof TimeoutError && BEFORE_SEND_TIMEOUT_EVENTS.has(error.event)) return false;
  const timings = error.timings;
  if (!timings) return true;
  const connected = request.https ? timings.secureConnect !== undefined : timings.connect !== undefined;
  // `upload` is set when the whole request was handed to the socket ('finish').
  return connected && timings.upload !== undefined;
}

/**
 * got's errors carry the request options (URL with query credentials, Authorization header) and
 * the response; the cause we keep has only name, code, phase and a redacted message, so that a
 * logger serialising `cause` cannot leak a token.
 */
function sanitizedCause(error: unknown, redact: Redactor): Error {
  const source = error instanceof Error ? error : new Error(String(error));
  const cause = new Error(redact(source.message));
  cause.name = source.name;
  const extra = cause as Error & { code?: string; event?: string };
  if (error instanceof RequestError) extra.code = error.code;
  if (error instanceof TimeoutError) extra.event = error.event;
  return cause;
}
