// The outbound-network rule for hosts a tenant chose (its WhatsApp provider's apiUrl): such a
// request may only reach public unicast addresses. Tenants are customers we do not control; without
// this rule a provider URL of http://169.254.169.254/… or a name that resolves to 10.0.0.5 makes our
// worker a proxy into the private network. OUTBOUND_ALLOW_PRIVATE_NETWORKS (dev and tests, whose
// fakes live on 127.0.0.1) is the only way around it.
//
// Two checks, both from maintained libraries rather than hand-written range lists:
//  - when the URL is saved, an IP-literal host is classified with ipaddr.js (forbiddenUrlReason);
//  - when connecting, request-filtering-agent checks the address the name *resolved to*, at connect
//    time, so a DNS answer that changes after the URL was saved (rebinding) cannot get through.
import ipaddr from 'ipaddr.js';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';

export interface TenantHostAgents {
  readonly http: RequestFilteringHttpAgent;
  readonly https: RequestFilteringHttpsAgent;
}

const agents = new Map<boolean, TenantHostAgents>();

/** got's `agent` option for requests to tenant-supplied hosts; one pair per process and setting. */
export function tenantHostAgents(allowPrivateNetworks: boolean): TenantHostAgents {
  let pair = agents.get(allowPrivateNetworks);
  if (!pair) {
    // 0.0.0.0 / :: ("this host") stay refused even when private networks are allowed.
    const options = { allowPrivateIPAddress: allowPrivateNetworks, allowMetaIPAddress: false };
    pair = { http: new RequestFilteringHttpAgent(options), https: new RequestFilteringHttpsAgent(options) };
    agents.set(allowPrivateNetworks, pair);
  }
  return pair;
}

// request-filtering-agent reports a refused address with an Error whose text is all it gives us.
const REFUSED_BY_AGENT = /^DNS lookup .* is not allowed\. Because/;

/** Whether a request failed because the agent refused the address it was about to connect to. */
export function isForbiddenAddressError(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth++) {
    if (REFUSED_BY_AGENT.test(current.message)) return true;
  }
  return false;
}

/** 'unicast' is the only public range; ipv4Mapped (::ffff:10.0.0.1) is judged by its IPv4 address. */
function isPublicAddress(literal: string): boolean {
  let address = ipaddr.parse(literal);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    address = (address as ipaddr.IPv6).toIPv4Address();
  }
  return address.range() === 'unicast';
}

/**
 * Why a tenant may not use this URL as an outbound destination, or undefined when it may. Without
 * `allowPrivateNetworks`: https only, and no IP literal or local name outside public unicast space.
 */
export function forbiddenUrlReason(url: string, options: { allowPrivateNetworks: boolean }): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an https URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'must be an https URL';
  if (options.allowPrivateNetworks) return undefined;
  if (parsed.protocol !== 'https:') return 'must be an https URL';
  if (parsed.username || parsed.password) return 'must not carry credentials in the URL';
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(host)) {
    return isPublicAddress(host) ? undefined : 'must not point at a loopback, private, link-local or reserved address';
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return 'must not point at a loopback, private, link-local or reserved address';
  return undefined;
}
