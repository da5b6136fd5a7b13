// Values exchanged between the claim workflow and its activities. Ids and outcomes only: nothing
// here may ever carry a secret, because Temporal records it in the history operators read.
import type { ClaimReason } from '../src/domain/claim-reason.js';
import type {
  ClaimStatus,
  FallbackStrategy,
  MetaVerificationMethod,
  NotificationStatus,
  VerificationMethod,
  VerificationStrategy,
} from '../src/domain/statuses.js';

export type VerificationOutcome =
  /** The claim is decided, one way or the other. */
  | {
      kind: 'decided';
      verified: boolean;
      /** Absent when no method could decide (e.g. Meta stayed unavailable for the whole retry budget) */
      method?: VerificationMethod;
      detail?: string;
      /** Short code of why (shown to end users with our own sentence); absent in histories recorded before it existed */
      reason?: ClaimReason;
      /** What proved it (ids, usernames, timestamps); never a token */
      evidence?: Record<string, unknown>;
    }
  /** Meta cannot check this action, or no credentials exist: the task's fallback strategy decides. */
  | { kind: 'fallback'; detail: string }
  /** The credentials exist but Meta rejected them (expired, revoked); the tenant may fix them. */
  | { kind: 'credentials_rejected'; method: MetaVerificationMethod; detail: string }
  /**
   * The target's index cannot answer yet (its crawl is still to finish, or Meta cannot be read for
   * now): the workflow waits `afterMs` on a timer, then looks again with `look`.
   */
  | { kind: 'look_again'; afterMs: number; detail: string; look: IndexLook };

/** What a claim's next look at its target's index carries over from the earlier ones. */
export interface IndexLook {
  /** ISO time the claim asked the index to be fresh as of (absent after a failed crawl: ask anew) */
  asOf?: string;
  /** When the claim started waiting for the index (epoch ms, workflow time): how long Meta has kept it waiting */
  waitingSinceMs: number;
  /** Looks so far that could not decide (spaces the next one) */
  looks: number;
}

export interface ClaimSnapshot {
  status: ClaimStatus;
  verificationStrategy: VerificationStrategy;
  fallbackStrategy: FallbackStrategy;
  statisticalApprovalRate: number;
  notificationStatus: NotificationStatus;
}

export interface RecordedVerification {
  status: ClaimStatus;
  notificationStatus: NotificationStatus;
  detail: string | null;
  spinsAwarded: number;
}

export type NotificationPlan =
  /** channelKey: the sending channel's fairness key (an id, never a secret; src/notifications/channel-choice.ts) */
  | { action: 'send'; notificationStatus: NotificationStatus; channelKey?: string }
  | { action: 'wait'; notificationStatus: 'WAITING_FOR_WINDOW'; notBefore: string }
  | { action: 'hold'; notificationStatus: NotificationStatus; reason: string }
  | { action: 'done'; notificationStatus: NotificationStatus; reason?: string };

export interface SendOutcome {
  notificationStatus: NotificationStatus;
  /** The channel's credentials were rejected: the notification waits for the account to be reconnected. */
  held?: boolean;
  detail?: string;
}
