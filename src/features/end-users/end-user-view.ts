import type { EndUser } from '../../generated/prisma/client.js';

export function toEndUserView(user: EndUser, spinsBalance: number) {
  return {
    id: user.id,
    name: user.name,
    phone: user.phone,
    instagramUsername: user.instagramUsername,
    facebookName: user.facebookName,
    /** Sum of the user's spin credits (the ledger) */
    spinsBalance,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}
