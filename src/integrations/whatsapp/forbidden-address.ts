// A provider request refused by the outbound-network rule (../outbound-network.ts) is a
// configuration problem of the tenant, not a transient failure: retrying cannot help and nothing
// was sent. Its message names the rule, never the address the name resolved to.
import { OutboundError } from '../outbound-error.js';
import { isForbiddenAddressError } from '../outbound-network.js';

export function forbiddenAddressFailure(error: unknown, channel: string): OutboundError | undefined {
  if (!isForbiddenAddressError(error)) return undefined;
  return new OutboundError({
    kind: 'permanent',
    service: 'whatsapp-provider',
    message: `WhatsApp ${channel}: the API URL resolves to a loopback, private, link-local or reserved address, which is not allowed (not sent)`,
  });
}
