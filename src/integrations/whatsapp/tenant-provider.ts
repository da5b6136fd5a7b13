// Channel 2 of "Outbound WhatsApp": the tenant's own waapi-style provider from its waConfig.
// POST {apiUrl}, `Authorization: Bearer {apiKey}`, `{number, message, sender}`.
import { tenantHostAgents } from '../outbound-network.js';
import { postProviderMessage, type ProviderMessage, type ProviderRequestOptions, type ProviderSendResult } from './post-provider-message.js';
import { toProviderNumber } from './provider-number.js';

export interface TenantProviderConfig {
  readonly apiUrl: string;
  /** decrypted by the caller (an activity); never logged, never part of an error */
  readonly apiKey: string;
  /** sent as `sender` when set */
  readonly sender?: string | null | undefined;
  /** sent as `instanceId` as well when the tenant configured one (an extension: some providers need it) */
  readonly instanceId?: string | null | undefined;
}

export interface TenantProviderRequestOptions extends ProviderRequestOptions {
  /** OUTBOUND_ALLOW_PRIVATE_NETWORKS: required, so no caller reaches a tenant's host without deciding */
  readonly allowPrivateNetworks: boolean;
}

/**
 * Throws OutboundError (service 'whatsapp-provider'); an `ambiguous` one means it may have been sent.
 * The tenant chose the host: the connection is refused unless it resolves to a public address.
 */
export async function sendViaTenantProvider(
  config: TenantProviderConfig,
  message: ProviderMessage,
  options: TenantProviderRequestOptions,
): Promise<ProviderSendResult> {
  return await postProviderMessage(
    {
      channel: 'tenant provider',
      apiUrl: config.apiUrl,
      apiKey: config.apiKey,
      agent: tenantHostAgents(options.allowPrivateNetworks),
      body: {
        number: toProviderNumber(message.number),
        message: message.message,
        ...(config.sender ? { sender: config.sender } : {}),
        ...(config.instanceId ? { instanceId: config.instanceId } : {}),
      },
    },
    options,
  );
}
