// The one error type every outside-service client throws. Activities map `kind` onto Temporal
// failures (src/worker/activity-failures.ts); nothing else needs to know a provider's error dialect.

export type OutboundErrorKind =
  /** The provider asked us to slow down; `retryAfterMs` says for how long when it told us. */
  | 'rate_limited'
  /** Timeouts before sending, connection errors, 5xx: safe to try again. */
  | 'transient'
  /** The credentials were rejected (expired, revoked, missing permission): retrying will not help until they change. */
  | 'auth'
  /** The request itself is wrong or refused for good (4xx, unknown recipient, ...). */
  | 'permanent'
  /** A non-idempotent request may or may not have been carried out (timeout after it was sent). Never resend. */
  | 'ambiguous';

export type OutboundService = 'meta' | 'whatsapp-provider';

export class OutboundError extends Error {
  readonly kind: OutboundErrorKind;
  readonly service: OutboundService;
  readonly status: number | undefined;
  /** Provider's own error code (e.g. Meta's `error.code` 190, 130429) */
  readonly providerCode: number | undefined;
  readonly providerSubcode: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(init: {
    kind: OutboundErrorKind;
    service: OutboundService;
    message: string;
    status?: number;
    providerCode?: number;
    providerSubcode?: number;
    retryAfterMs?: number;
    cause?: unknown;
  }) {
    super(init.message, { cause: init.cause });
    this.name = 'OutboundError';
    this.kind = init.kind;
    this.service = init.service;
    this.status = init.status;
    this.providerCode = init.providerCode;
    this.providerSubcode = init.providerSubcode;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** Seconds from a Retry-After header (delta-seconds or HTTP date), in ms. */
export function retryAfterMsFromHeader(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
