// Channel 2 of "Outbound WhatsApp": the tenant's own waapi-style provider from its waConfig.
// POST {apiUrl}, `Authorization: Bearer {apiKey}`, `{number, message, sender}`.
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

/** Throws OutboundError (service 'whatsapp-provider'); an `ambiguous` one means it may have been sent. */
export async function sendViaTenantProvider(
  config: TenantProviderConfig,
  message: ProviderMessage,
  options: ProviderRequestOptions,
): Promise<ProviderSendResult> {
  return await postProviderMessage(
    {
      channel: 'tenant provider',
      apiUrl: config.apiUrl,
      apiKey: config.apiKey,
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
