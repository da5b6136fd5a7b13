// An end user's WhatsApp message that is a consent word: STOP (or the tenant's own opt-out words)
// records an opt-out, START a new opt-in, and the user gets one confirmation text. They just wrote,
// so the customer-service window is open and a text is allowed. The confirmation goes only from the
// call that changed the record, so Meta's retried deliveries confirm once; a failed confirmation is
// not retried (it is a courtesy, and a retry could not know whether it went out).
import type { SecretBox } from '../crypto/secret-box.js';
import type { Database } from '../db/client.js';
import type { GraphClient } from '../integrations/meta/graph-client.js';
import { sendCloudMessage } from '../integrations/meta/whatsapp-messages.js';
import type { Logger } from '../logger.js';
import { consentKeyword, recordOptIn, recordOptOut, START_SOURCE } from './consent.js';

export interface ConsentReplyDeps {
  readonly db: Database;
  readonly secrets: SecretBox;
  readonly graph: GraphClient;
  readonly logger: Logger;
}

export const OPT_OUT_CONFIRMATION = 'You will no longer receive WhatsApp messages from us. Reply START to receive them again.';
export const OPT_IN_CONFIRMATION = 'You will receive WhatsApp messages from us again. Reply STOP to stop them.';

/** What the message changed, for the webhook's processing result; null when it is no consent word. */
export async function applyConsentKeyword(
  deps: ConsentReplyDeps,
  input: { accountId: string; tenantId: string; phone: string; text: string | undefined },
): Promise<string | null> {
  const { db } = deps;
  const tenant = await db.tenant.findUniqueOrThrow({ where: { id: input.tenantId }, select: { whatsappOptOutKeywords: true } });
  const keyword = consentKeyword(input.text, tenant.whatsappOptOutKeywords);
  if (!keyword) return null;
  const where = { tenantId: input.tenantId, phone: input.phone };
  const changed = keyword === 'opt_out' ? await recordOptOut(db, where) : await recordOptIn(db, where, START_SOURCE);
  if (!changed) return keyword === 'opt_out' ? 'opt-out already recorded' : 'opt-in already recorded';
  const confirmed = await confirm(deps, input.accountId, input.phone, keyword === 'opt_out' ? OPT_OUT_CONFIRMATION : OPT_IN_CONFIRMATION);
  return `${keyword === 'opt_out' ? 'opt-out' : 'opt-in'} recorded; ${confirmed ? 'confirmation sent' : 'confirmation not sent'}`;
}

async function confirm(deps: ConsentReplyDeps, accountId: string, phone: string, body: string): Promise<boolean> {
  const account = await deps.db.whatsappAccount.findUnique({
    where: { id: accountId },
    select: { phoneNumberId: true, accessToken: true, status: true },
  });
  if (!account?.accessToken || account.status !== 'ACTIVE') return false;
  try {
    await sendCloudMessage(deps.graph, {
      phoneNumberId: account.phoneNumberId,
      token: deps.secrets.open(account.accessToken),
      to: phone,
      message: { type: 'text', body },
    });
    return true;
  } catch (error) {
    deps.logger.warn({ err: error, accountId }, 'could not confirm a WhatsApp consent change');
    return false;
  }
}
