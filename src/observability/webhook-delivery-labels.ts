// Labels of social_webhook_deliveries_total, read from the answer POST /webhooks/meta gave (see
// src/features/webhooks/receive-webhook.ts): 200 stored, 400 signed but not JSON, 401 bad or
// missing signature, 503 no app secret to check it with, 413 too large to read.
import { boundedLabel } from './metrics.js';

const OBJECTS = new Set(['whatsapp_business_account', 'page', 'instagram', 'user', 'permissions', 'application']);
/** Meta puts `object` first; a look at the head of the body is enough and never parses megabytes. */
const OBJECT_AT_HEAD = /"object"\s*:\s*"([a-z_]{1,40})"/;

export function webhookDeliveryLabels(status: number, body: unknown): { object: string; signature: string; result: string } {
  const signed = status === 200 || status === 400;
  const object =
    signed && Buffer.isBuffer(body) ? boundedLabel(OBJECT_AT_HEAD.exec(body.subarray(0, 512).toString('utf8'))?.[1], OBJECTS) : 'unknown';
  if (status === 200) return { object, signature: 'valid', result: 'stored' };
  if (status === 400) return { object, signature: 'valid', result: 'invalid_json' };
  if (status === 401) return { object, signature: 'invalid', result: 'rejected' };
  if (status === 503) return { object, signature: 'unverifiable', result: 'rejected' };
  return { object, signature: 'unchecked', result: status === 413 ? 'too_large' : 'error' };
}
