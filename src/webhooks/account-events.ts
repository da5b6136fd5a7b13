// Which WhatsApp account events change an account, and how. Pure; applied by apply-account-event.ts.
//
// Handled (WhatsApp webhook references, fields of `whatsapp_business_account`):
//   account_update
//     PARTNER_REMOVED, PARTNER_APP_UNINSTALLED  our access was revoked (the business unshared the WABA or
//                                               deauthorised/uninstalled our app) → NEEDS_REAUTH: the
//                                               tenant must reconnect; notifications on it are held and
//                                               its token refresh schedule is paused.
//     ACCOUNT_DELETED                           → DISCONNECTED, token wiped, refresh schedule deleted
//                                               (the phone number named in the event, else the whole WABA).
//     DISABLED_UPDATE ban_state DISABLE         → DISCONNECTED ("Meta: disabled …"); other channels take over.
//                     ban_state REINSTATE       → ACTIVE again, only if we disabled it for a ban.
//                     SCHEDULE_FOR_DISABLE      → noted (no change yet).
//     anything else (PARTNER_ADDED, ACCOUNT_VIOLATION, ACCOUNT_RESTRICTION, …) → noted.
//   account_review_update  REJECTED → DISCONNECTED ("Meta: rejected in account review"); APPROVED lifts
//                          only that; PENDING/DEFERRED noted.
//   phone_number_quality_update  FLAGGED → qualityRating RED; UNFLAGGED → UNKNOWN (no longer low; Meta
//                          does not say which rating). Throughput/limit events are noted.
//   phone_number_name_update  APPROVED → verifiedName = requested_verified_name; others noted.
//
// For PARTNER_* events Meta puts the *partner's* business id in entry.id and the customer's WABA in
// value.waba_info.waba_id, so the WABA comes from there when present.
import { z } from 'zod';
import { digitsOf } from './meta-payload.js';

export const ACCOUNT_EVENT_FIELDS = new Set(['account_update', 'account_review_update', 'phone_number_quality_update', 'phone_number_name_update']);

export const BAN_REASON_PREFIX = 'Meta: disabled';
export const REVIEW_REASON_PREFIX = 'Meta: rejected in account review';

type AccountStatus = 'ACTIVE' | 'NEEDS_REAUTH' | 'DISCONNECTED';

export type AccountChange =
  | {
      readonly kind: 'status';
      readonly status: 'NEEDS_REAUTH' | 'DISCONNECTED';
      readonly reason: string;
      readonly wipeToken: boolean;
      readonly from: readonly AccountStatus[];
    }
  /** Back to ACTIVE, only for an account DISCONNECTED with a reason starting with `reasonPrefix` */
  | { readonly kind: 'lift'; readonly reasonPrefix: string }
  | { readonly kind: 'quality'; readonly qualityRating: string }
  | { readonly kind: 'verifiedName'; readonly verifiedName: string }
  | { readonly kind: 'note' };

export interface AccountEventDecision {
  /** e.g. "account_update PARTNER_REMOVED" */
  readonly event: string;
  readonly wabaId: string | undefined;
  /** Only accounts with this display number (digits) are concerned; all of the WABA otherwise */
  readonly phoneDigits: string | undefined;
  readonly change: AccountChange;
  readonly detail: string;
}

const valueSchema = z.object({
  event: z.string().optional(),
  decision: z.string().optional(),
  phone_number: z.union([z.string(), z.number().transform(String)]).optional(),
  display_phone_number: z.string().optional(),
  requested_verified_name: z.string().optional(),
  /** Sent by some versions with the rating itself (GREEN, YELLOW, RED) */
  quality_rating: z.string().optional(),
  current_limit: z.string().optional(),
  max_daily_conversations_per_business: z.string().optional(),
  waba_info: z.object({ waba_id: z.union([z.string(), z.number().transform(String)]).optional() }).optional(),
  ban_info: z.object({ waba_ban_state: z.string().optional(), waba_ban_date: z.string().optional() }).optional(),
  violation_info: z.object({ violation_type: z.string().optional() }).optional(),
});

const FROM_ANY_LIVE: readonly AccountStatus[] = ['ACTIVE', 'NEEDS_REAUTH'];

export function decideAccountEvent(
  field: string,
  rawValue: unknown,
  entryId: string | undefined,
): AccountEventDecision | { readonly malformed: string } {
  const parsed = valueSchema.safeParse(rawValue ?? {});
  if (!parsed.success) return { malformed: `${field} value is not an object` };
  const value = parsed.data;
  const note = (event: string, detail: string, wabaId = entryId, phoneDigits?: string): AccountEventDecision => ({
    event,
    wabaId,
    phoneDigits,
    change: { kind: 'note' },
    detail,
  });

  switch (field) {
    case 'account_update': {
      const event = value.event ?? '(no event)';
      const name = `account_update ${event}`;
      const wabaId = value.waba_info?.waba_id ?? entryId;
      if (event === 'PARTNER_REMOVED' || event === 'PARTNER_APP_UNINSTALLED') {
        const why = event === 'PARTNER_REMOVED' ? 'stopped sharing its WhatsApp Business Account with us' : 'removed our app’s access';
        return {
          event: name,
          wabaId,
          phoneDigits: undefined,
          change: {
            kind: 'status',
            status: 'NEEDS_REAUTH',
            reason: `Meta: the business ${why} (${event}); reconnect the account`,
            wipeToken: false,
            from: ['ACTIVE'],
          },
          detail: 'our access was revoked',
        };
      }
      if (event === 'ACCOUNT_DELETED') {
        const phone = value.phone_number ? digitsOf(value.phone_number) : undefined;
        return {
          event: name,
          wabaId,
          phoneDigits: phone || undefined,
          change: {
            kind: 'status',
            status: 'DISCONNECTED',
            reason: `Meta: the ${phone ? 'phone number' : 'WhatsApp Business Account'} was deleted (ACCOUNT_DELETED)`,
            wipeToken: true,
            from: FROM_ANY_LIVE,
          },
          detail: 'deleted at Meta',
        };
      }
      if (event === 'DISABLED_UPDATE') {
        const state = value.ban_info?.waba_ban_state;
        const date = value.ban_info?.waba_ban_date;
        if (state === 'DISABLE') {
          return {
            event: `${name} DISABLE`,
            wabaId,
            phoneDigits: undefined,
            change: {
              kind: 'status',
              status: 'DISCONNECTED',
              reason: `${BAN_REASON_PREFIX} for policy or terms violations (DISABLED_UPDATE${date ? `, ${date}` : ''})`,
              wipeToken: false,
              from: FROM_ANY_LIVE,
            },
            detail: 'disabled by Meta',
          };
        }
        if (state === 'REINSTATE') {
          return {
            event: `${name} REINSTATE`,
            wabaId,
            phoneDigits: undefined,
            change: { kind: 'lift', reasonPrefix: BAN_REASON_PREFIX },
            detail: 'reinstated by Meta',
          };
        }
        return note(
          `${name} ${state ?? ''}`.trim(),
          state === 'SCHEDULE_FOR_DISABLE' ? `scheduled to be disabled${date ? ` (${date})` : ''}` : 'no change',
          wabaId,
        );
      }
      const violation = value.violation_info?.violation_type;
      return note(name, violation ? `violation ${violation}; no status change` : 'no status change', wabaId);
    }
    case 'account_review_update': {
      const decision = value.decision ?? '(no decision)';
      const name = `account_review_update ${decision}`;
      if (decision === 'REJECTED') {
        return {
          event: name,
          wabaId: entryId,
          phoneDigits: undefined,
          change: {
            kind: 'status',
            status: 'DISCONNECTED',
            reason: `${REVIEW_REASON_PREFIX} (account_review_update REJECTED)`,
            wipeToken: false,
            from: FROM_ANY_LIVE,
          },
          detail: 'rejected in review',
        };
      }
      if (decision === 'APPROVED') {
        return {
          event: name,
          wabaId: entryId,
          phoneDigits: undefined,
          change: { kind: 'lift', reasonPrefix: REVIEW_REASON_PREFIX },
          detail: 'approved in review',
        };
      }
      return note(name, 'review not decided; no change');
    }
    case 'phone_number_quality_update': {
      const event = value.event ?? '(no event)';
      const phone = digitsOf(value.display_phone_number) || undefined;
      const limit = value.max_daily_conversations_per_business ?? value.current_limit;
      const name = `phone_number_quality_update ${event}`;
      const rated = value.quality_rating?.toUpperCase();
      if (rated === 'GREEN' || rated === 'YELLOW' || rated === 'RED') {
        return {
          event: name,
          wabaId: entryId,
          phoneDigits: phone,
          change: { kind: 'quality', qualityRating: rated },
          detail: `quality rating ${rated}`,
        };
      }
      if (event === 'FLAGGED' || event === 'UNFLAGGED') {
        const qualityRating = event === 'FLAGGED' ? 'RED' : 'UNKNOWN';
        return {
          event: name,
          wabaId: entryId,
          phoneDigits: phone,
          change: { kind: 'quality', qualityRating },
          detail: `quality rating ${qualityRating}`,
        };
      }
      return note(name, limit ? `messaging limit ${limit}` : 'no change', entryId, phone);
    }
    case 'phone_number_name_update': {
      const decision = value.decision ?? '(no decision)';
      const phone = digitsOf(value.display_phone_number) || undefined;
      const name = `phone_number_name_update ${decision}`;
      if (decision === 'APPROVED' && value.requested_verified_name) {
        return {
          event: name,
          wabaId: entryId,
          phoneDigits: phone,
          change: { kind: 'verifiedName', verifiedName: value.requested_verified_name },
          detail: 'display name approved',
        };
      }
      return note(name, 'display name not approved; no change', entryId, phone);
    }
    default:
      return { malformed: `field ${field} is not an account event` };
  }
}
