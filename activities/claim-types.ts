// Values exchanged between the claim workflow and its activities. Ids and outcomes only: nothing
// here may ever carry a secret, because Temporal records it in the history operators read.
import type { CompletionReason } from '../src/domain/completion-reason.js';

export type VerificationMethodName = 'TENANT_META_API' | 'PLATFORM_META_API' | 'HONOR_SYSTEM' | 'STATISTICAL' | 'MANUAL';

export type VerificationOutcome =
  /** The claim is decided, one way or the other. */
  | {
      kind: 'decided';
      verified: boolean;
      /** Absent when no method could decide (e.g. Meta stayed unavailable for the whole retry budget) */
      method?: VerificationMethodName;
      detail?: string;
      /** Short code of why (shown to end users with our own sentence); absent in histories recorded before it existed */
      reason?: CompletionReason;
      /** What proved it (ids, usernames, timestamps); never a token */
      evidence?: Record<string, unknown>;
    }
  /** Meta cannot check this action, or no credentials exist: the task's fallback strategy decides. */
  | { kind: 'fallback'; detail: string }
  /** The credentials exist but Meta rejected them (expired, revoked); the tenant may fix them. */
  | { kind: 'credentials_rejected'; method: 'TENANT_META_API' | 'PLATFORM_META_API'; detail: string };

export interface ClaimSnapshot {
  status: 'PENDING' | 'VERIFIED' | 'FAILED';
  verificationStrategy: 'META_API' | 'HONOR_SYSTEM' | 'STATISTICAL' | 'MANUAL';
  fallbackStrategy: 'HONOR_SYSTEM' | 'STATISTICAL' | 'MANUAL';
  statisticalApprovalRate: number;
  notificationStatus: string;
}

export interface RecordedVerification {
  status: 'PENDING' | 'VERIFIED' | 'FAILED';
  notificationStatus: string;
  detail: string | null;
  spinsAwarded: number;
}

export type NotificationPlan =
  /** channelKey: the sending channel's fairness key (an id, never a secret; activities/notification-channel.ts) */
  | { action: 'send'; notificationStatus: string; channelKey?: string }
  | { action: 'wait'; notificationStatus: 'WAITING_FOR_WINDOW'; notBefore: string }
  | { action: 'hold'; notificationStatus: string; reason: string }
  | { action: 'done'; notificationStatus: string; reason?: string };

export interface SendOutcome {
  notificationStatus: string;
  /** The channel's credentials were rejected: the notification waits for the account to be reconnected. */
  held?: boolean;
  detail?: string;
}
