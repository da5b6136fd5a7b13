// WhatsApp consent of an end user (WhatsApp Business Messaging Policy: a person is messaged only
// after opting in to this business; STOP is honoured). The latest of opt-in and opt-out wins, so a
// user who wrote STOP and later START (or signed up again) is reachable again.
import type { Database } from '../db/client.js';
import type { NotificationReason } from '../domain/notification-reason.js';

export interface ConsentRecord {
  readonly whatsappOptInAt: Date | null;
  readonly whatsappOptedOutAt: Date | null;
}

/** Source recorded for an opt-in by an inbound START message. */
export const START_SOURCE = 'whatsapp-start-message';
/** Words that record a new opt-in, whatever the tenant's opt-out words. */
export const OPT_IN_KEYWORDS: readonly string[] = ['START'];

/** Why this user must get no message now, or null when they may. */
export function consentRefusal(user: ConsentRecord, tenant: { requireWhatsappOptIn: boolean }): NotificationReason | null {
  const { whatsappOptInAt: optIn, whatsappOptedOutAt: optOut } = user;
  if (optOut && (!optIn || optOut >= optIn)) return 'OPTED_OUT';
  if (tenant.requireWhatsappOptIn && !optIn) return 'NO_WHATSAPP_OPT_IN';
  return null;
}

/** What an inbound text asks for: the whole message, trimmed, compared without case. */
export function consentKeyword(text: string | undefined, optOutKeywords: readonly string[]): 'opt_out' | 'opt_in' | null {
  const word = text?.trim().toUpperCase();
  if (!word) return null;
  if (optOutKeywords.some((keyword) => keyword.trim().toUpperCase() === word)) return 'opt_out';
  if (OPT_IN_KEYWORDS.includes(word)) return 'opt_in';
  return null;
}

/**
 * Records an opt-out unless one already stands. True only for the call that changed the record, so
 * a repeated webhook (or activity retry) confirms at most once. Stamped with the database's clock
 * when we learn it (not the message's own time, which can be older than an opt-in recorded since),
 * so the latest of opt-in and opt-out is the one we learnt last.
 */
export async function recordOptOut(db: Database, where: { tenantId: string; phone: string }): Promise<boolean> {
  const changed = await db.$executeRaw`
    UPDATE "EndUser" SET "whatsappOptedOutAt" = now(), "updatedAt" = now()
    WHERE "tenantId" = ${where.tenantId} AND "phone" = ${where.phone}
      AND ("whatsappOptedOutAt" IS NULL OR ("whatsappOptInAt" IS NOT NULL AND "whatsappOptInAt" > "whatsappOptedOutAt"))`;
  return changed > 0;
}

/** Records a new opt-in unless a current one stands; true only for the call that changed it. */
export async function recordOptIn(db: Database, where: { tenantId: string; phone: string }, source: string): Promise<boolean> {
  const changed = await db.$executeRaw`
    UPDATE "EndUser" SET "whatsappOptInAt" = now(), "whatsappOptInSource" = ${source}, "updatedAt" = now()
    WHERE "tenantId" = ${where.tenantId} AND "phone" = ${where.phone}
      AND ("whatsappOptInAt" IS NULL OR ("whatsappOptedOutAt" IS NOT NULL AND "whatsappOptedOutAt" >= "whatsappOptInAt"))`;
  return changed > 0;
}
