// An opt-in from the API as the columns that record it. An opt-in dated in the future would make a
// later STOP lose against it, so it is capped at now.
import type { WhatsappOptInInput } from './end-user-input.js';

export function optInColumns(optIn: WhatsappOptInInput): { whatsappOptInAt: Date; whatsappOptInSource: string } {
  const now = new Date();
  const at = optIn.at ? new Date(optIn.at) : now;
  return { whatsappOptInAt: at > now ? now : at, whatsappOptInSource: optIn.source };
}
