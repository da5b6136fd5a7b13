// The handle a claim names (else the profile's for the task's platform) must be the claimant's:
// the first claim naming it binds it, and a handle bound to another end user of the tenant is
// refused before anything is written or started (409 HANDLE_TAKEN).
import type { Database } from '../../db/client.js';
import { AppError } from '../../http/errors.js';
import { bindHandle, profileField } from '../../verification/handle-binding.js';
import type { SocialPlatform } from '../../verification/outcome.js';

export async function bindClaimHandle(
  db: Database,
  claimant: {
    tenantId: string;
    endUserId: string;
    platform: SocialPlatform;
    profile: { instagramUsername: string | null; facebookName: string | null };
  },
  claimedHandle: string | undefined,
): Promise<void> {
  const field = profileField(claimant.platform);
  const handle = claimedHandle ?? (field ? (claimant.profile[field] ?? undefined) : undefined);
  if (!handle) return;
  const result = await bindHandle(db, claimant, handle);
  if (!result.bound) {
    throw new AppError(
      'HANDLE_TAKEN',
      `the ${claimant.platform.toLowerCase()} handle "${result.handle}" belongs to another end user of this tenant`,
      {
        field: claimedHandle ? 'handle' : field,
        platform: claimant.platform,
      },
    );
  }
}
