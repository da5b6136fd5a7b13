// POST /webhooks/meta: verify, store, hand to Temporal, acknowledge. Persist-then-ack: Meta
// retries unacknowledged deliveries for up to 7 days and has no API to fetch missed ones, so the
// 200 goes out only once the delivery is in the database, and as soon as it is.
//
// - Bad or missing signature → 401, nothing stored (anyone can call this URL).
// - Signed but not JSON → 400. The bytes are still kept (payload {"unparsable": …},
//   processingError set, processedAt set so the sweeper skips them): Meta signed them, there is no
//   other copy, and operators should see them. Meta's retries of the same bytes hit the same row.
// - Unknown `object` or field types are stored and acknowledged like any other delivery; the
//   workflow records them as ignored.
import type { AppDeps } from '../../http/deps.js';
import { AppError } from '../../http/errors.js';
import { checkMetaSignature, dedupeKeyOf } from './meta-signature.js';
import { startWebhookWorkflow } from '../../temporal/webhook-starter.js';

/** Longest prefix of an unparsable body that is kept (base64), so a junk body cannot bloat the table. */
const MAX_UNPARSABLE_KEPT = 64 * 1024;

export interface ReceivedWebhook {
  readonly duplicate: boolean;
}

export async function receiveMetaWebhook(
  deps: AppDeps,
  rawBody: Buffer,
  signatureHeader: string | string[] | undefined,
  requestId: string | undefined,
): Promise<ReceivedWebhook> {
  const appSecret = deps.config.meta.appSecret;
  if (!appSecret) {
    // Nothing can be verified; 503 makes Meta retry once the platform is configured.
    deps.logger.error('META_APP_SECRET is not set: webhook deliveries cannot be verified');
    throw new AppError('NOT_READY', 'webhooks are not configured');
  }
  const problem = checkMetaSignature(rawBody, signatureHeader, appSecret);
  if (problem) {
    deps.logger.warn({ requestId, problem }, 'rejected a webhook delivery with an invalid signature');
    throw new AppError('INVALID_SIGNATURE', 'invalid or missing X-Hub-Signature-256');
  }

  const dedupeKey = dedupeKeyOf(rawBody);
  const parsed = parseJson(rawBody);
  if (!parsed.ok) {
    await deps.db.webhookEvent.createMany({
      data: [
        {
          dedupeKey,
          object: null,
          payload: { unparsable: true, bytes: rawBody.length, bodyBase64: rawBody.subarray(0, MAX_UNPARSABLE_KEPT).toString('base64') },
          processedAt: new Date(),
          processingError: `signed body is not valid JSON: ${parsed.error}`,
        },
      ],
      skipDuplicates: true,
    });
    deps.logger.warn({ requestId, dedupeKey }, 'signed webhook delivery is not valid JSON; kept, answered 400');
    throw new AppError('INVALID_JSON', 'request body is not valid JSON');
  }

  const object = isRecord(parsed.value) && typeof parsed.value.object === 'string' ? parsed.value.object : null;
  // JSON that is not an object or array (null, a number…) is kept wrapped: the column holds a document.
  const payload = typeof parsed.value === 'object' && parsed.value !== null ? parsed.value : { nonObjectBody: parsed.value };
  // ON CONFLICT DO NOTHING: concurrent and repeated deliveries of the same bytes leave one row.
  const created = await deps.db.webhookEvent.createMany({
    data: [{ dedupeKey, object, payload: payload as object }],
    skipDuplicates: true,
  });
  const event = await deps.db.webhookEvent.findUniqueOrThrow({ where: { dedupeKey }, select: { id: true, processedAt: true } });
  if (event.processedAt === null) {
    try {
      await startWebhookWorkflow(deps, { id: event.id, dedupeKey });
    } catch (error) {
      // Stored is enough to acknowledge: the sweeper starts it when Temporal is back.
      deps.logger.warn({ err: error, requestId, webhookEventId: event.id }, 'could not start webhook workflow; the sweeper will');
    }
  }
  return { duplicate: created.count === 0 };
}

function parseJson(rawBody: Buffer): { ok: true; value: unknown } | { ok: false; error: string } {
  const text = rawBody.toString('utf8');
  try {
    // PostgreSQL's jsonb cannot hold U+0000; a user can put one in a WhatsApp message, and one
    // such message must not make the whole batch unstorable (and retried by Meta for 7 days).
    const value: unknown = text.includes('\\u0000')
      ? JSON.parse(text, (_key, item: unknown) => (typeof item === 'string' ? item.replaceAll('\u0000', '\uFFFD') : item))
      : JSON.parse(text);
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message.slice(0, 200) : 'unparsable' };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
