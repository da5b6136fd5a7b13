// A `messages` change: delivery statuses of what we sent, and messages users sent to a tenant.
//
// Routing: metadata.phone_number_id → our WhatsappAccount (unique) → its tenant. An inbound
// message touches only that tenant's end user with the sender's number: the same person at two
// tenants is two end users, and the receiving number decides which one wrote. Statuses are matched
// by wamid (unique at Meta) in notifications/message-status.ts.
import type { Database } from '../db/client.js';
import { applyConsentKeyword, type ConsentReplyDeps } from '../notifications/consent-keywords.js';
import { describeFailure } from '../notifications/delivery-status.js';
import { receiveMessageStatus } from '../notifications/message-status.js';
import { applyMessagePricing } from '../notifications/notification-pricing.js';
import { errorSchema, fromUnixSeconds, inboundMessageSchema, maskPhone, messagesValueSchema, statusSchema, zodProblem } from './meta-payload.js';
import type { ProcessedItem } from './processing-result.js';

export async function applyMessagesChange(
  db: Database,
  value: unknown,
  context: { webhookEventId: string; now: Date; consent?: ConsentReplyDeps },
): Promise<ProcessedItem[]> {
  const parsed = messagesValueSchema.safeParse(value);
  if (!parsed.success) return [{ kind: 'other', outcome: 'unmatched', detail: `malformed messages change (${zodProblem(parsed.error)})` }];
  const { metadata, statuses = [], messages = [], errors = [] } = parsed.data;
  const account = await db.whatsappAccount.findUnique({
    where: { phoneNumberId: metadata.phone_number_id },
    select: { id: true, tenantId: true },
  });
  const tenant = account ? { tenantId: account.tenantId } : {};
  const items: ProcessedItem[] = [];

  for (const raw of statuses) {
    items.push(await applyStatus(db, raw, account?.tenantId, context.webhookEventId));
  }

  for (const raw of messages) {
    const message = inboundMessageSchema.safeParse(raw);
    if (!message.success) {
      items.push({ kind: 'inbound', outcome: 'unmatched', ...tenant, detail: `malformed message (${zodProblem(message.error)})` });
      continue;
    }
    const { from, type } = message.data;
    const ref = maskPhone(from);
    const sentAt = fromUnixSeconds(message.data.timestamp);
    if (!account) {
      items.push({ kind: 'inbound', outcome: 'unmatched', ref, detail: `no WhatsApp account has phone number id ${metadata.phone_number_id}` });
    } else if (type === 'system') {
      // Sent by WhatsApp (e.g. "the user changed their number"), not by the user: opens no session.
      items.push({ kind: 'inbound', outcome: 'ignored', ...tenant, ref, detail: 'system message; no session opened' });
    } else if (!sentAt) {
      items.push({ kind: 'inbound', outcome: 'unmatched', ...tenant, ref, detail: 'message without a valid timestamp' });
    } else {
      const inbound = await recordInbound(db, account.tenantId, from, sentAt, context.now);
      // STOP / START: only from an end user we know (recordInbound matched them).
      const consent =
        context.consent && inbound.outcome === 'applied' && type === 'text'
          ? await applyConsentKeyword(context.consent, {
              accountId: account.id,
              tenantId: account.tenantId,
              phone: `+${from}`,
              text: message.data.text?.body,
            })
          : null;
      items.push(consent ? { ...inbound, detail: `${inbound.detail}; ${consent}` } : inbound);
    }
  }

  for (const raw of errors) {
    const error = errorSchema.safeParse(raw);
    const what = error.success ? describeFailure({ errorCode: error.data.code, errorTitle: error.data.title }) : 'unreadable error';
    items.push({
      kind: 'other',
      outcome: 'ignored',
      ...tenant,
      detail: `Meta reported an error for phone number id ${metadata.phone_number_id}: ${what}`,
    });
  }
  if (items.length === 0) items.push({ kind: 'other', outcome: 'ignored', ...tenant, detail: 'messages change without statuses or messages' });
  return items;
}

async function applyStatus(db: Database, raw: unknown, accountTenantId: string | undefined, webhookEventId: string): Promise<ProcessedItem> {
  const status = statusSchema.safeParse(raw);
  if (!status.success) {
    return {
      kind: 'status',
      outcome: 'unmatched',
      ...(accountTenantId ? { tenantId: accountTenantId } : {}),
      detail: `malformed status (${zodProblem(status.error)})`,
    };
  }
  const { id: wamid, status: name, timestamp, errors, biz_opaque_callback_data: callbackData, pricing } = status.data;
  const occurredAt = fromUnixSeconds(timestamp);
  if (!occurredAt) {
    return {
      kind: 'status',
      outcome: 'unmatched',
      ref: wamid,
      ...(accountTenantId ? { tenantId: accountTenantId } : {}),
      detail: `status ${name} without a valid timestamp`,
    };
  }
  const error = errors?.[0];
  const outcome = await receiveMessageStatus(db, {
    providerMessageId: wamid,
    status: name,
    occurredAt,
    errorCode: error?.code ?? null,
    errorTitle: error?.title ?? null,
    pricingCategory: pricing?.category ?? null,
    billable: pricing?.billable ?? null,
    webhookEventId,
    bizOpaqueCallbackData: callbackData ?? null,
    accountTenantId: accountTenantId ?? null,
  });
  if (pricing) await applyMessagePricing(db, wamid);
  const notification = outcome.notifications[0];
  if (!notification) {
    return {
      kind: 'status',
      outcome: 'kept',
      ref: wamid,
      ...(accountTenantId ? { tenantId: accountTenantId } : {}),
      detail: `${name}: no notification has this message id yet; kept and applied when it appears`,
    };
  }
  const moved = notification.from === notification.to ? `${notification.to} unchanged` : `${notification.from} → ${notification.to}`;
  return {
    kind: 'status',
    outcome: 'applied',
    ref: wamid,
    tenantId: notification.tenantId,
    detail: `${name}: ${moved} (completion ${notification.claimId})`,
  };
}

/** lastInboundAt only moves forward; a timestamp ahead of our clock counts as now. */
async function recordInbound(db: Database, tenantId: string, from: string, sentAt: Date, now: Date): Promise<ProcessedItem> {
  const phone = `+${from}`;
  const at = sentAt > now ? now : sentAt;
  const ref = maskPhone(from);
  const updated = await db.endUser.updateMany({
    where: { tenantId, phone, OR: [{ lastInboundAt: null }, { lastInboundAt: { lt: at } }] },
    data: { lastInboundAt: at },
  });
  if (updated.count > 0) return { kind: 'inbound', outcome: 'applied', tenantId, ref, detail: `lastInboundAt ${at.toISOString()}` };
  const known = await db.endUser.count({ where: { tenantId, phone } });
  return known > 0
    ? { kind: 'inbound', outcome: 'applied', tenantId, ref, detail: 'lastInboundAt already as recent' }
    : { kind: 'inbound', outcome: 'unmatched', tenantId, ref, detail: 'no end user of the receiving tenant has this phone number' };
}
