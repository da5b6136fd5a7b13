// One delivery attempt of a tenant event to the tenant's events webhook. Ids cross the Temporal
// boundary; the URL and secret are read (and the secret opened) here, never put in a workflow.
//
// - In order per claim: an event waits (a retryable failure, so Temporal backs off) while an earlier
//   event of its claim is still PENDING.
// - 2xx: DELIVERED. 410 Gone: the receiver says the endpoint is gone for good — the tenant's webhook is
//   disabled (the settings show it) and the event is FAILED, redeliverable once fixed. Anything else
//   (another status, a timeout, a refused connection): a retryable failure; the workflow's retry
//   policy backs off exponentially for EVENTS_WEBHOOK_RETRY_WINDOW.
// - The remote answer's body is never stored or shown: only its status code.
import { ApplicationFailure } from '@temporalio/common';
import type { AppConfig } from '../config.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Database } from '../db/client.js';
import { requestCapped } from '../integrations/capped-request.js';
import { isForbiddenAddressError, tenantHostAgents } from '../integrations/outbound-network.js';
import { instrumentedGot } from '../observability/outbound-http.js';
import { openConfig, type EventsWebhookConfig } from '../tenant-config/stored-configs.js';
import { SIGNATURE_HEADER, signEventBody } from './sign-event.js';

export interface DeliveryDeps {
  readonly config: AppConfig;
  readonly db: Database;
  readonly secrets: SecretBox;
}

export type DeliveryResult = 'delivered' | 'gone' | 'not_deliverable' | 'not_due';

const got = instrumentedGot('tenant-events-webhook');
const MAX_ANSWER_BYTES = 4_096;

/** Marks the round's event FAILED (only while PENDING in that round). */
export async function markEventFailed(db: Database, input: { eventId: string; round: number; reason: string }): Promise<void> {
  await db.tenantEvent.updateMany({
    where: { id: input.eventId, deliveryRound: input.round, status: 'PENDING' },
    data: { status: 'FAILED', failedAt: new Date(), lastError: input.reason.slice(0, 500) },
  });
}

export async function deliverEvent(deps: DeliveryDeps, input: { eventId: string; round: number }): Promise<DeliveryResult> {
  const { db } = deps;
  const event = await db.tenantEvent.findUnique({
    where: { id: input.eventId },
    include: { tenant: { select: { eventsWebhook: true, eventsWebhookDisabledAt: true } } },
  });
  // Redelivered since (another round owns it), or already settled.
  if (!event || event.deliveryRound !== input.round || event.status !== 'PENDING') return 'not_due';
  const webhook = openConfig<EventsWebhookConfig>(deps.secrets, event.tenant.eventsWebhook);
  if (!webhook || event.tenant.eventsWebhookDisabledAt) {
    await markEventFailed(db, { ...input, reason: webhook ? 'the events webhook is disabled' : 'the events webhook was removed' });
    return 'not_deliverable';
  }
  const earlier = await db.tenantEvent.count({ where: { claimId: event.claimId, sequence: { lt: event.sequence }, status: 'PENDING' } });
  if (earlier > 0) throw ApplicationFailure.retryable('an earlier event of this claim is not delivered yet', 'EarlierEventPending');

  let statusCode: number;
  try {
    const answer = await requestCapped(
      new URL(webhook.url),
      {
        method: 'POST',
        agent: tenantHostAgents(deps.config.outboundAllowPrivateNetworks),
        body: event.body,
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signEventBody(webhook.secret, event.body),
          'x-event-id': event.id,
          'x-event-type': event.type,
          'user-agent': 'social-campaigns-events/1',
        },
        timeout: { request: deps.config.outboundHttpTimeoutMs },
        retry: { limit: 0 },
        throwHttpErrors: false,
        followRedirect: false,
      },
      MAX_ANSWER_BYTES,
      got,
    );
    statusCode = answer.statusCode;
  } catch (error) {
    const reason = isForbiddenAddressError(error)
      ? 'the webhook host resolves to an address we may not call'
      : 'no answer from the webhook (connection failed or timed out)';
    await recordAttempt(db, input, { statusCode: null, error: reason });
    throw ApplicationFailure.retryable(reason, 'WebhookUnreachable');
  }

  if (statusCode >= 200 && statusCode < 300) {
    await db.tenantEvent.updateMany({
      where: { id: input.eventId, deliveryRound: input.round, status: 'PENDING' },
      data: { status: 'DELIVERED', deliveredAt: new Date(), attempts: { increment: 1 }, lastStatusCode: statusCode, lastError: null },
    });
    return 'delivered';
  }
  if (statusCode === 410) {
    await db.$transaction([
      db.tenant.update({
        where: { id: event.tenantId },
        data: { eventsWebhookDisabledAt: new Date(), eventsWebhookDisabledReason: 'the receiver answered 410 Gone' },
      }),
      db.tenantEvent.updateMany({
        where: { id: input.eventId, deliveryRound: input.round, status: 'PENDING' },
        data: {
          status: 'FAILED',
          failedAt: new Date(),
          attempts: { increment: 1 },
          lastStatusCode: 410,
          lastError: 'the receiver answered 410 Gone: webhook disabled',
        },
      }),
    ]);
    return 'gone';
  }
  const reason = `the webhook answered HTTP ${statusCode}`;
  await recordAttempt(db, input, { statusCode, error: reason });
  throw ApplicationFailure.retryable(reason, 'WebhookRefused');
}

async function recordAttempt(db: Database, input: { eventId: string; round: number }, outcome: { statusCode: number | null; error: string }) {
  await db.tenantEvent.updateMany({
    where: { id: input.eventId, deliveryRound: input.round, status: 'PENDING' },
    data: { attempts: { increment: 1 }, lastStatusCode: outcome.statusCode, lastError: outcome.error },
  });
}
