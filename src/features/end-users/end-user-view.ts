import type { EndUser } from '../../generated/prisma/client.js';

export function toEndUserView(user: EndUser, spinsBalance: number) {
  return {
    id: user.id,
    name: user.name,
    phone: user.phone,
    instagramUsername: user.instagramUsername,
    facebookName: user.facebookName,
    /** When and where the user opted in to WhatsApp messages; null without a record */
    whatsappOptIn: user.whatsappOptInAt ? { at: user.whatsappOptInAt.toISOString(), source: user.whatsappOptInSource } : null,
    /** Last opt-out; an opt-in after it counts again */
    whatsappOptedOutAt: user.whatsappOptedOutAt?.toISOString() ?? null,
    /** Sum of the user's spin credits (the ledger) */
    spinsBalance,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}
