// WhatsApp Business Management on the Graph API: find the WABAs a business token was granted,
// their numbers and approved templates, and the two onboarding steps the backend must do itself
// after Embedded Signup (subscribe the app to the WABA, register the number).
// These endpoints count against the WABA management limit (200 or 5000 req/h, error 80007/80008).
import { OutboundError } from '../outbound-error.js';
import type { GraphClient } from './graph-client.js';
import { graphIdSegment } from './graph-ids.js';
import type { DebugTokenInfo } from './oauth.js';

export { sendCloudMessage } from './whatsapp-messages.js';
export type { CloudMessage, SendCloudMessageInput, SentCloudMessage } from './whatsapp-messages.js';

const WHATSAPP_SCOPES = new Set(['whatsapp_business_management', 'whatsapp_business_messaging']);
const MAX_PHONE_NUMBER_PAGES = 10;
const MAX_TEMPLATE_PAGES = 20;

export interface WhatsappPhoneNumber {
  readonly id: string;
  readonly displayPhoneNumber: string;
  readonly verifiedName: string;
  /** GREEN | YELLOW | RED | UNKNOWN */
  readonly qualityRating: string;
}

export interface DiscoveredWhatsappAccount {
  readonly wabaId: string;
  readonly name: string | undefined;
  readonly phoneNumbers: WhatsappPhoneNumber[];
}

/**
 * WABA ids a token may act on, from debug_token's granular_scopes: Embedded Signup tokens list the
 * WABAs the customer shared as target_ids of the whatsapp_* permissions. The token exchange itself
 * does not return them (the browser gets them in the WA_EMBEDDED_SIGNUP message event).
 */
export function whatsappAccountIdsFromScopes(debugInfo: Pick<DebugTokenInfo, 'granularScopes'>): string[] {
  const ids = new Set<string>();
  for (const scope of debugInfo.granularScopes) {
    if (WHATSAPP_SCOPES.has(scope.scope)) for (const id of scope.targetIds) ids.add(id);
  }
  return [...ids];
}

/** Every WABA the token was granted, with its name and phone numbers. */
export async function discoverWhatsappAccounts(
  client: GraphClient,
  token: string,
  debugInfo: Pick<DebugTokenInfo, 'granularScopes'>,
): Promise<DiscoveredWhatsappAccount[]> {
  const accounts: DiscoveredWhatsappAccount[] = [];
  for (const wabaId of whatsappAccountIdsFromScopes(debugInfo)) {
    const waba = await client.get<{ id: string; name?: string }>(`/${graphIdSegment(wabaId, 'WABA id')}`, { fields: 'id,name' }, token);
    accounts.push({ wabaId, name: waba.name, phoneNumbers: await listPhoneNumbers(client, wabaId, token) });
  }
  return accounts;
}

interface PhoneNumberNode {
  id: string;
  display_phone_number?: string;
  verified_name?: string;
  quality_rating?: string;
}

export async function listPhoneNumbers(client: GraphClient, wabaId: string, token: string): Promise<WhatsappPhoneNumber[]> {
  const pages = client.paginate<PhoneNumberNode>(
    `/${graphIdSegment(wabaId, 'WABA id')}/phone_numbers`,
    { fields: 'id,display_phone_number,verified_name,quality_rating' },
    token,
    { maxPages: MAX_PHONE_NUMBER_PAGES },
  );
  const numbers: WhatsappPhoneNumber[] = [];
  for await (const node of pages) {
    numbers.push({
      id: node.id,
      displayPhoneNumber: node.display_phone_number ?? '',
      verifiedName: node.verified_name ?? '',
      qualityRating: node.quality_rating ?? 'UNKNOWN',
    });
  }
  return numbers;
}

/** Subscribes our app to the WABA's webhooks; without it no messages/status webhooks arrive. Repeatable. */
export async function subscribeAppToWaba(client: GraphClient, wabaId: string, token: string): Promise<void> {
  const response = await client.post<{ success?: boolean }>(`/${graphIdSegment(wabaId, 'WABA id')}/subscribed_apps`, undefined, token, {
    idempotent: true,
  });
  if (response.success !== true) throw unexpected(`subscribed_apps did not report success`);
}

const ALREADY_REGISTERED = /already registered/i;

/**
 * Registers the number for Cloud API; the PIN becomes its two-step verification PIN. Meta does not
 * document the "already registered" answer in our reference; we recognise it by its text, whatever
 * the code, and treat it as done, so a retried onboarding activity is harmless.
 */
export async function registerPhoneNumber(
  client: GraphClient,
  phoneNumberId: string,
  token: string,
  pin: string,
): Promise<{ alreadyRegistered: boolean }> {
  if (!/^\d{6}$/.test(pin)) throw new OutboundError({ kind: 'permanent', service: 'meta', message: 'Registration PIN must be 6 digits' });
  try {
    const response = await client.post<{ success?: boolean }>(
      `/${graphIdSegment(phoneNumberId, 'phone number id')}/register`,
      { messaging_product: 'whatsapp', pin },
      token,
      { idempotent: true },
    );
    if (response.success !== true) throw unexpected('register did not report success');
    return { alreadyRegistered: false };
  } catch (error) {
    if (error instanceof OutboundError && error.kind === 'permanent' && ALREADY_REGISTERED.test(error.message)) {
      return { alreadyRegistered: true };
    }
    throw error;
  }
}

export interface MessageTemplate {
  readonly name: string;
  readonly language: string;
  readonly status: string;
  /** MARKETING | UTILITY | AUTHENTICATION */
  readonly category: string;
  /** As Meta returns them: [{type:'BODY', text:'Hi {{1}}'}, ...] */
  readonly components: unknown[];
}

interface TemplateNode {
  name?: string;
  language?: string;
  status?: string;
  category?: string;
  components?: unknown[];
}

/** Approved templates only: the only messages allowed outside the 24-hour window. */
export async function listApprovedTemplates(client: GraphClient, wabaId: string, token: string): Promise<MessageTemplate[]> {
  const pages = client.paginate<TemplateNode>(
    `/${graphIdSegment(wabaId, 'WABA id')}/message_templates`,
    { fields: 'name,language,status,category,components', status: 'APPROVED', limit: 100 },
    token,
    { maxPages: MAX_TEMPLATE_PAGES },
  );
  const templates: MessageTemplate[] = [];
  for await (const node of pages) {
    // The status filter is a server-side convenience; the check here is what we rely on.
    if (node.status !== 'APPROVED' || !node.name || !node.language) continue;
    templates.push({
      name: node.name,
      language: node.language,
      status: node.status,
      category: node.category ?? 'UNKNOWN',
      components: node.components ?? [],
    });
  }
  return templates;
}

function unexpected(message: string): OutboundError {
  return new OutboundError({ kind: 'permanent', service: 'meta', message: `Meta ${message}` });
}
