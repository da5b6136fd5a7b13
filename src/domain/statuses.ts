// The status and strategy vocabularies of a claim, and the sets the workflow, the activities and the
// API share. Pure (the workflow sandbox imports it); src/db/enum-checks.ts keeps every union here
// equal to its Prisma enum, so `tsc` fails when a value is added on one side only.
export {
  NOTIFICATION_AHEAD,
  NOTIFICATION_FINAL,
  NOTIFICATION_SENT,
  NOTIFICATION_STATUSES,
  isNotificationAhead,
  isNotificationFinal,
  isNotificationSent,
  type NotificationStatus,
} from './notification-status.js';

/** A claim (Claim.status): verified or failed once, never changed afterwards. */
export const CLAIM_STATUSES = ['PENDING', 'VERIFIED', 'FAILED'] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

/** How a task's claims are checked (SocialTask.verificationStrategy). */
export const VERIFICATION_STRATEGIES = ['META_API', 'HONOR_SYSTEM', 'STATISTICAL', 'MANUAL'] as const;
export type VerificationStrategy = (typeof VERIFICATION_STRATEGIES)[number];

/** What decides when Meta cannot check a claim (SocialTask.fallbackStrategy). */
export const FALLBACK_STRATEGIES = ['HONOR_SYSTEM', 'STATISTICAL', 'MANUAL'] as const;
export type FallbackStrategy = (typeof FALLBACK_STRATEGIES)[number];

/** What actually decided a claim (Claim.verificationMethod). */
export const VERIFICATION_METHODS = ['TENANT_META_API', 'PLATFORM_META_API', 'HONOR_SYSTEM', 'STATISTICAL', 'MANUAL'] as const;
export type VerificationMethod = (typeof VERIFICATION_METHODS)[number];

/** The Meta credential sources, in the order they are tried: the tenant's own, then the platform's. */
export const META_VERIFICATION_METHODS = ['TENANT_META_API', 'PLATFORM_META_API'] as const satisfies readonly VerificationMethod[];
export type MetaVerificationMethod = (typeof META_VERIFICATION_METHODS)[number];

/** Compile-time exhaustiveness: a `switch` over a union ends in `default: return unreachable(value)`. */
export function unreachable(value: never): never {
  throw new Error(`unexpected value ${String(value)}`);
}
