// The MetaWebhookSubscription row of each owner of Meta credentials (a tenant, or the platform):
// requested on every credentials write (a new version), carried out by a workflow, shown in the
// settings view. Only the newest version's outcome is ever written, so a slow run for replaced
// credentials cannot overwrite the answer for the current ones.
import type { Database } from '../db/client.js';
import { Prisma } from '../generated/prisma/client.js';

export type SubscriptionOwner = { readonly kind: 'tenant'; readonly tenantId: string } | { readonly kind: 'platform' };

export type SubscriptionStatus = 'NOT_CONFIGURED' | 'PENDING' | 'SUBSCRIBED' | 'PARTIAL' | 'FAILED';

export interface SubscriptionItem {
  /** "page": the Page's feed; "instagram": the connected account's comments/mentions */
  readonly object: 'page' | 'instagram';
  readonly id: string;
  readonly fields: readonly string[];
  readonly status: 'SUBSCRIBED' | 'FAILED';
  readonly error?: string;
  /** For instagram: the Page through which Meta delivers its webhooks */
  readonly viaPageId?: string;
}

export const ownerKeyOf = (owner: SubscriptionOwner) => (owner.kind === 'tenant' ? `tenant:${owner.tenantId}` : 'platform');

/**
 * Records a credentials write: a new version, PENDING when there is something to subscribe
 * (`configured`), else NOT_CONFIGURED with nothing to start. Returns the version to start, if any.
 */
export async function recordSubscriptionRequest(db: Database, owner: SubscriptionOwner, configured: boolean): Promise<number | undefined> {
  const ownerKey = ownerKeyOf(owner);
  const tenantId = owner.kind === 'tenant' ? owner.tenantId : null;
  const state = configured
    ? { status: 'PENDING', error: null, details: Prisma.DbNull, attempts: 0, subscribedAt: null, requestedAt: new Date() }
    : { status: 'NOT_CONFIGURED', error: null, details: Prisma.DbNull, attempts: 0, subscribedAt: null, requestedAt: new Date() };
  const row = await db.metaWebhookSubscription.upsert({
    where: { ownerKey },
    create: { ownerKey, tenantId, ...state, requestedVersion: 1, startedVersion: configured ? 0 : 1 },
    update: { ...state, requestedVersion: { increment: 1 } },
  });
  if (!configured) {
    await db.metaWebhookSubscription.update({ where: { ownerKey }, data: { startedVersion: row.requestedVersion } });
    return undefined;
  }
  return row.requestedVersion;
}

/** The workflow of `version` is running (or ran): the sweeper leaves it alone. */
export async function markSubscriptionStarted(db: Database, ownerKey: string, version: number): Promise<void> {
  await db.metaWebhookSubscription.updateMany({ where: { ownerKey, startedVersion: { lt: version } }, data: { startedVersion: version } });
}

/** Whether `version` is still the one to answer. */
export async function isCurrentRequest(db: Database, ownerKey: string, version: number): Promise<boolean> {
  return (await db.metaWebhookSubscription.count({ where: { ownerKey, requestedVersion: version } })) > 0;
}

/** Meta could not be reached this attempt: still PENDING, with why and how often. */
export async function recordSubscriptionRetrying(db: Database, ownerKey: string, version: number, reason: string): Promise<void> {
  await db.metaWebhookSubscription.updateMany({
    where: { ownerKey, requestedVersion: version },
    data: { status: 'PENDING', error: `retrying: ${reason}`.slice(0, 1_000), attempts: { increment: 1 }, lastAttemptAt: new Date() },
  });
}

/** The outcome for `version` (ignored when a newer write has replaced it). */
export async function recordSubscriptionOutcome(
  db: Database,
  ownerKey: string,
  version: number,
  outcome: { status: SubscriptionStatus; error: string | null; items: readonly SubscriptionItem[] },
): Promise<void> {
  const now = new Date();
  await db.metaWebhookSubscription.updateMany({
    where: { ownerKey, requestedVersion: version },
    data: {
      status: outcome.status,
      error: outcome.error?.slice(0, 1_000) ?? null,
      details: outcome.items as unknown as Prisma.InputJsonValue,
      attempts: { increment: 1 },
      lastAttemptAt: now,
      subscribedAt: outcome.status === 'SUBSCRIBED' || outcome.status === 'PARTIAL' ? now : null,
    },
  });
}

/**
 * Whether Meta delivers the comment webhooks of this Instagram account to us (the owner's
 * subscription lists it SUBSCRIBED), and the subscription's status to quote when it does not.
 */
export async function instagramWebhooksActive(
  db: Database,
  owner: SubscriptionOwner,
  instagramAccountId: string | undefined,
): Promise<{ active: boolean; status: SubscriptionStatus }> {
  const row = await db.metaWebhookSubscription.findUnique({ where: { ownerKey: ownerKeyOf(owner) }, select: { status: true, details: true } });
  if (!row) return { active: false, status: 'NOT_CONFIGURED' };
  const items = Array.isArray(row.details) ? (row.details as unknown as SubscriptionItem[]) : [];
  const active = items.some((item) => item?.object === 'instagram' && item.status === 'SUBSCRIBED' && item.id === instagramAccountId);
  return { active, status: row.status as SubscriptionStatus };
}

/** The settings view's `webhookSubscription`. */
export async function showWebhookSubscription(db: Database, owner: SubscriptionOwner) {
  const row = await db.metaWebhookSubscription.findUnique({ where: { ownerKey: ownerKeyOf(owner) } });
  if (!row)
    return {
      status: 'NOT_CONFIGURED' as const,
      error: null,
      subscriptions: [],
      attempts: 0,
      requestedAt: null,
      lastAttemptAt: null,
      subscribedAt: null,
    };
  return {
    status: row.status as SubscriptionStatus,
    error: row.error,
    subscriptions: (row.details as SubscriptionItem[] | null) ?? [],
    attempts: row.attempts,
    requestedAt: row.requestedAt.toISOString(),
    lastAttemptAt: row.lastAttemptAt?.toISOString() ?? null,
    subscribedAt: row.subscribedAt?.toISOString() ?? null,
  };
}
