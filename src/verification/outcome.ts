// What a Meta verification attempt can conclude. Only 'verified' and 'not_found' are decisions;
// 'unsupported' and 'no_credentials' hand the claim to the task's fallback strategy (or to the
// next credential source). Transient/auth/rate-limit problems are thrown as OutboundError instead.

/** Same values as the Prisma enums, kept as plain unions so this module has no database dependency. */
export type SocialPlatform = 'INSTAGRAM' | 'FACEBOOK' | 'TIKTOK' | 'TWITTER';
export type SocialActionType = 'FOLLOW' | 'LIKE' | 'COMMENT' | 'SHARE' | 'MENTION';

export type { MetaCredentials } from '../tenant-config/stored-configs.js';

export interface VerifiableTask {
  readonly platform: SocialPlatform;
  readonly actionType: SocialActionType;
  /** Graph id of the target (IG media id, FB post id `{page-id}_{post-id}`) */
  readonly targetId?: string | undefined;
  readonly targetUrl?: string | undefined;
}

export interface Claimant {
  /** The handle given with the claim: wins over the stored ones */
  readonly handle?: string | undefined;
  readonly instagramUsername?: string | undefined;
  readonly facebookName?: string | undefined;
  /** The claim's proof code: when set, a comment matches by carrying it, whoever wrote it */
  readonly proofCode?: string | undefined;
}

export type NotFoundReason = 'NOT_FOUND_ON_POST' | 'EVIDENCE_ALREADY_USED' | 'EVIDENCE_PREDATES_TASK';

/** Small, JSON-safe, no secrets: stored on the claim. */
export type VerificationEvidence = Readonly<Record<string, string | number | boolean | null>>;

export type MetaVerification =
  | { readonly outcome: 'verified'; readonly evidence: VerificationEvidence }
  /** `reason` says whether nothing matched, or matches were passed over (already used, too old) */
  | { readonly outcome: 'not_found'; readonly detail: string; readonly reason?: NotFoundReason }
  | { readonly outcome: 'unsupported'; readonly reason: string }
  | { readonly outcome: 'no_credentials'; readonly reason: string };

/** Evidence without undefined values (they would vanish from JSON anyway). */
export function evidence(values: Record<string, string | number | boolean | null | undefined>): VerificationEvidence {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as VerificationEvidence;
}
