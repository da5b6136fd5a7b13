// The shapes of the sealed configs a tenant (or the platform) stores: its WhatsApp provider and its
// Meta credentials. Only the worker and the settings routes open them; neither is ever logged.
import type { SecretBox } from '../crypto/secret-box.js';

/** Where a tenant receives its signed events (Tenant.eventsWebhook, sealed): the secret signs each body. */
export interface EventsWebhookConfig {
  url: string;
  secret: string;
}

export interface WaConfig {
  apiUrl: string;
  apiKey: string;
  sender?: string;
  instanceId?: string;
}

/** The Meta credentials of a tenant or of the platform, as sealed in `metaConfig`. */
export interface MetaCredentials {
  readonly facebookPageId?: string | undefined;
  /** Page access token (commenter/reactor identity is only visible to Page tokens) */
  readonly facebookToken?: string | undefined;
  readonly instagramAccountId?: string | undefined;
  readonly instagramToken?: string | undefined;
}

export function openConfig<T>(secrets: SecretBox, sealed: string | null): T | null {
  return sealed ? secrets.openJson<T>(sealed) : null;
}
