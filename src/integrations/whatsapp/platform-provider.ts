// Channel 4 of "Outbound WhatsApp": the platform-wide default provider (WHATSAPP_API_URL,
// WHATSAPP_API_KEY, WHATSAPP_INSTANCE_ID). POST {apiUrl}, `Authorization: Bearer {apiKey}`,
// `{number, message, instanceId}`.
import type { AppConfig } from '../../config.js';
import { postProviderMessage, type ProviderMessage, type ProviderRequestOptions, type ProviderSendResult } from './post-provider-message.js';
import { toProviderNumber } from './provider-number.js';

export interface PlatformProviderConfig {
  readonly apiUrl: string;
  readonly apiKey: string;
  /** sent as `instanceId`; omitted when not configured */
  readonly instanceId?: string | undefined;
}

/** The platform provider from the app config, or undefined when WHATSAPP_API_URL / WHATSAPP_API_KEY are unset. */
export function platformProviderConfig(whatsappPlatform: AppConfig['whatsappPlatform']): PlatformProviderConfig | undefined {
  const { apiUrl, apiKey, instanceId } = whatsappPlatform;
  return apiUrl && apiKey ? { apiUrl, apiKey, instanceId } : undefined;
}

/** Throws OutboundError (service 'whatsapp-provider'); an `ambiguous` one means it may have been sent. */
export async function sendViaPlatformProvider(
  config: PlatformProviderConfig,
  message: ProviderMessage,
  options: ProviderRequestOptions,
): Promise<ProviderSendResult> {
  return await postProviderMessage(
    {
      channel: 'platform provider',
      apiUrl: config.apiUrl,
      apiKey: config.apiKey,
      body: {
        number: toProviderNumber(message.number),
        message: message.message,
        ...(config.instanceId ? { instanceId: config.instanceId } : {}),
      },
    },
    options,
  );
}
