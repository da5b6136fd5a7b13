// The signature of an event body: `X-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>` with
// the tenant's secret (as GitHub and Meta sign theirs). Receivers compare it in constant time over
// the bytes they received, before parsing.
import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-signature-256';

export function signEventBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}
