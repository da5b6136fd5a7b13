// Compile-time checks that the domain's status vocabularies equal the database enums. Nothing
// runs here: `tsc` fails when a value is added to one side only.
import type {
  ClaimStatus as DbClaimStatus,
  FallbackStrategy as DbFallbackStrategy,
  NotificationStatus as DbNotificationStatus,
  VerificationMethod as DbVerificationMethod,
  VerificationStrategy as DbVerificationStrategy,
} from '../generated/prisma/enums.js';
import type { ClaimStatus, FallbackStrategy, NotificationStatus, VerificationMethod, VerificationStrategy } from '../domain/statuses.js';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;

export const notificationStatusMatches: Same<NotificationStatus, DbNotificationStatus> = true;
export const claimStatusMatches: Same<ClaimStatus, DbClaimStatus> = true;
export const verificationStrategyMatches: Same<VerificationStrategy, DbVerificationStrategy> = true;
export const fallbackStrategyMatches: Same<FallbackStrategy, DbFallbackStrategy> = true;
export const verificationMethodMatches: Same<VerificationMethod, DbVerificationMethod> = true;
