// POST /api/v1/meta/embedded-signup {code, wabaId, phoneNumberId}: the popup variant. The browser
// gets a code living 30 seconds plus the ids (WA_EMBEDDED_SIGNUP message event); the tenant comes
// from the admin's JWT, and the ids are checked against what the token can see at Meta.
import type { TenantContext } from '../../http/use-case-context.js';
import { connectWhatsappAccounts } from './connect-accounts.js';
import type { EmbeddedSignupInput } from './connect-input.js';
import { requireMetaSettings } from './start-connect.js';

export async function completeEmbeddedSignup(ctx: TenantContext, input: EmbeddedSignupInput) {
  const { deps, tenantId } = ctx;
  requireMetaSettings(deps.config, 'embedded');
  // Embedded Signup codes are exchanged WITHOUT redirect_uri: Meta refuses the exchange when one is sent.
  const accounts = await connectWhatsappAccounts(deps, {
    tenantId,
    code: input.code,
    selected: { wabaId: input.wabaId, phoneNumberId: input.phoneNumberId },
  });
  return { accounts };
}
