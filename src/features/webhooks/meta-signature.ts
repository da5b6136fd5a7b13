// Meta signs every webhook delivery: X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, body)>.
// The HMAC is computed over the raw bytes as received: a body parsed and re-serialized (by us or a
// proxy) has other bytes and must fail. The comparison is timing-safe, after checking the prefix
// and the length (timingSafeEqual needs equal lengths, and a short header must not throw).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-hub-signature-256';
const PREFIX = 'sha256=';
const HEX_DIGEST = /^[0-9a-fA-F]{64}$/;

export type SignatureProblem = 'missing' | 'wrong_prefix' | 'wrong_length' | 'bad_hex' | 'mismatch';

/** undefined when the signature is valid, else why not (for logs; the client only learns "401"). */
export function checkMetaSignature(rawBody: Buffer, header: string | string[] | undefined, appSecret: string): SignatureProblem | undefined {
  if (typeof header !== 'string' || header.length === 0) return 'missing';
  if (!header.startsWith(PREFIX)) return 'wrong_prefix';
  const hex = header.slice(PREFIX.length);
  if (hex.length !== 64) return 'wrong_length';
  if (!HEX_DIGEST.test(hex)) return 'bad_hex';
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  const given = Buffer.from(hex, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? undefined : 'mismatch';
}

/** The header value Meta would send for `rawBody` (tests and local tooling). */
export function signMetaPayload(rawBody: Buffer | string, appSecret: string): string {
  return `${PREFIX}${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

/** Equal strings, compared in constant time whatever their lengths (hashing first equalises them). */
export function constantTimeEquals(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b)) && a.length === b.length;
}

/** Meta retries resend the same bytes: their sha256 is the delivery's identity. */
export function dedupeKeyOf(rawBody: Buffer): string {
  return createHash('sha256').update(rawBody).digest('hex');
}
