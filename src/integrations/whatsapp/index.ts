// WhatsApp through waapi-style HTTP providers (channels 2 and 4 of "Outbound WhatsApp"). The Cloud API
// channels live in ../meta.
export type { ProviderChannel, ProviderMessage, ProviderRequestOptions, ProviderSendResult } from './post-provider-message.js';
export { toProviderNumber } from './provider-number.js';
export { sendViaTenantProvider, type TenantProviderConfig, type TenantProviderRequestOptions } from './tenant-provider.js';
export { platformProviderConfig, sendViaPlatformProvider, type PlatformProviderConfig } from './platform-provider.js';
