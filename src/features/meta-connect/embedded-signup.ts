// POST /api/v1/meta/embedded-signup {code, wabaId, phoneNumberId}: the popup variant. The browser
// gets a code living 30 seconds plus the ids (WA_EMBEDDED_SIGNUP message event); the tenant comes
// from the admin's JWT, and the ids are checked against what the token can see at Meta.
import { z } from 'zod';
import { parseInput } from '../../http/validation.js';
import { connectWhatsappAccounts, type ConnectDeps } from './connect-accounts.js';
import { requireMetaSettings } from './start-connect.js';

const graphId = z.string().trim().regex(/^\d{1,30}$/, 'must be a Graph id (digits)');
const bodySchema = z.object({ code: z.string().trim().min(1).max(2048), wabaId: graphId, phoneNumberId: graphId }).strict();

export async function completeEmbeddedSignup(deps: ConnectDeps, tenantId: string, body: unknown) {
  const input = parseInput(bodySchema, body);
  requireMetaSettings(deps.config, 'embedded');
  // Embedded Signup codes are exchanged WITHOUT redirect_uri: Meta refuses the exchange when one is sent.
  const accounts = await connectWhatsappAccounts(deps, {
    tenantId,
    code: input.code,
    selected: { wabaId: input.wabaId, phoneNumberId: input.phoneNumberId },
  });
  return { accounts };
}
