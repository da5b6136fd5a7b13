// Meta's error envelope and the messages/codes the real Graph API answers with. Handlers throw
// FakeGraphError; the dispatcher turns it into the reply.
import { randomBytes } from 'node:crypto';
import type { FakeReply } from '../../support/fake-http-server.js';

export interface MetaErrorInit {
  message: string;
  code: number;
  type?: string;
  error_subcode?: number;
  is_transient?: boolean;
  error_user_title?: string;
  error_user_msg?: string;
  error_data?: Record<string, unknown>;
}

export function fbtraceId(): string {
  return randomBytes(8)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, 'x');
}

/** `{ error: { message, type, code, error_subcode?, fbtrace_id, is_transient? } }` with Meta's status. */
export function metaErrorReply(error: MetaErrorInit, status = 400, headers: Record<string, string> = {}): FakeReply {
  return {
    status,
    headers,
    body: { error: { type: 'OAuthException', ...error, fbtrace_id: fbtraceId() } },
  };
}

export class FakeGraphError extends Error {
  constructor(readonly reply: FakeReply) {
    super(JSON.stringify(reply.body));
  }
}

export function fail(error: MetaErrorInit, status = 400, headers: Record<string, string> = {}): never {
  throw new FakeGraphError(metaErrorReply(error, status, headers));
}

export function failWith(reply: ReturnType<typeof metaErrorReply>): never {
  throw new FakeGraphError(reply);
}

// ---- the common ones, with Meta's wording

export function unsupportedRequest(method: string, id: string): FakeReply {
  return metaErrorReply({
    message:
      `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing ` +
      'permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api',
    type: 'GraphMethodException',
    code: 100,
    error_subcode: 33,
  });
}

export function missingToken(): FakeReply {
  return metaErrorReply({ message: 'An access token is required to request this resource.', code: 104 });
}

export function invalidToken(): FakeReply {
  return metaErrorReply({ message: 'Invalid OAuth access token - Cannot parse access token', code: 190 }, 400, {
    'www-authenticate': 'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token - Cannot parse access token"',
  });
}

/** 190 subcodes: 458 app removed, 460 password changed, 463 expired, 467 invalid. */
export const TOKEN_SUBCODES = { revoked: 458, password_changed: 460, expired: 463, logged_out: 467 } as const;
export type TokenInvalidation = keyof typeof TOKEN_SUBCODES;

export function tokenError(reason: TokenInvalidation, appId: string, expiredAtMs?: number): FakeReply {
  const messages: Record<TokenInvalidation, string> = {
    revoked: `Error validating access token: The user has not authorized application ${appId}.`,
    password_changed:
      'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
    expired: `Error validating access token: Session has expired on ${new Date(expiredAtMs ?? 0).toUTCString()}. The current time is ${new Date().toUTCString()}.`,
    logged_out: 'Error validating access token: The user is not logged into Facebook.',
  };
  return metaErrorReply({ message: messages[reason], code: 190, error_subcode: TOKEN_SUBCODES[reason] }, 400, {
    'www-authenticate': `OAuth "Facebook Platform" "invalid_token" "${messages[reason]}"`,
  });
}

export function missingAppSecretProof(): FakeReply {
  return metaErrorReply({ message: 'API calls from the server require an appsecret_proof argument', type: 'GraphMethodException', code: 100 });
}

export function invalidAppSecretProof(): FakeReply {
  return metaErrorReply({ message: 'Invalid appsecret_proof provided in the API argument', type: 'GraphMethodException', code: 100 });
}

export function permissionError(detail = 'Permissions error'): FakeReply {
  return metaErrorReply({ message: `(#200) ${detail}`, code: 200 }, 403);
}

export function invalidParameter(detail: string): FakeReply {
  return metaErrorReply({ message: `(#100) ${detail}`, code: 100 });
}

/** WhatsApp Cloud API errors carry error_data.details (Meta: build handling on code + details). */
export function whatsappError(code: number, title: string, details: string, status = 400): FakeReply {
  return metaErrorReply({ message: `(#${code}) ${title}`, code, error_data: { messaging_product: 'whatsapp', details } }, status);
}

export interface RateLimitInit {
  /** 4, 17, 32, 613, 80001 (Pages), 80002 (Instagram), 80007/80008 (WABA), 130429, 131056 ... */
  code?: number;
  /** estimated_time_to_regain_access in X-Business-Use-Case-Usage (minutes); omit for no header */
  regainMinutes?: number;
  /** Business object id the usage header is keyed by */
  objectId?: string;
  /** BUC type: instagram, pages, messenger ... */
  bucType?: string;
  status?: number;
  /** Also send Retry-After (seconds) */
  retryAfterSeconds?: number;
}

/** A throttling error with the real usage headers. */
export function rateLimitReply(init: RateLimitInit = {}): FakeReply {
  const code = init.code ?? 80002;
  const headers: Record<string, string> = {};
  if (init.regainMinutes !== undefined) {
    headers['x-business-use-case-usage'] = JSON.stringify({
      [init.objectId ?? '17841400000000001']: [
        {
          type: init.bucType ?? 'instagram',
          call_count: 100,
          total_cputime: 36,
          total_time: 42,
          estimated_time_to_regain_access: init.regainMinutes,
        },
      ],
    });
  }
  if (init.retryAfterSeconds !== undefined) headers['retry-after'] = String(init.retryAfterSeconds);
  const message =
    code === 130429
      ? '(#130429) Rate limit hit'
      : code === 131056
        ? '(#131056) (Business Account, Consumer Account) pair rate limit hit'
        : code >= 80000
          ? `(#${code}) There have been too many calls to this account. Wait a bit and try again.`
          : code === 4
            ? '(#4) Application request limit reached'
            : code === 17
              ? '(#17) User request limit reached'
              : code === 32
                ? '(#32) Page request limit reached'
                : `(#${code}) Calls to this api have exceeded the rate limit.`;
  const error: MetaErrorInit = { message, code };
  if (code >= 130000) error.error_data = { messaging_product: 'whatsapp', details: message };
  return metaErrorReply(error, init.status ?? 400, headers);
}
