// Sending through the WhatsApp Cloud API: POST /{phone-number-id}/messages: one message per request, answered with its wamid.
// Meta has no idempotency key for this call and a 200 only means "accepted", so:
//  - it is sent as non-idempotent: a timeout after the request went out is 'ambiguous', never
//    retried blindly (the user could get the message twice);
//  - 131047 (outside the 24-hour window) stays 'permanent' with providerCode 131047 so the caller
//    can fall back to a template; 130429/131056 are 'rate_limited' (131056: at least 6 s);
//  - biz_opaque_callback_data is echoed in status webhooks: pass the outbox/claim id there.
import { OutboundError } from '../outbound-error.js';
import type { GraphClient } from './graph-client.js';
import { graphIdSegment } from './graph-ids.js';

export type CloudMessage =
  | { readonly type: 'text'; readonly body: string }
  | {
      readonly type: 'template';
      readonly name: string;
      /** e.g. en_US; must be a language the template is approved in */
      readonly language: string;
      /** Positional {{1}}, {{2}}... values of the BODY component, in order */
      readonly bodyParameters: readonly string[];
    };

export interface SendCloudMessageInput {
  readonly phoneNumberId: string;
  readonly token: string;
  /** E.164 recipient, e.g. +5511999998888 */
  readonly to: string;
  readonly message: CloudMessage;
  readonly bizOpaqueCallbackData?: string | undefined;
}

export interface SentCloudMessage {
  /** wamid.…: correlates with status webhooks */
  readonly messageId: string;
  /** WhatsApp id of the recipient; may differ from the number sent */
  readonly waId: string | undefined;
}

const MAX_TEXT_LENGTH = 4096;

interface SendResponse {
  messages?: { id?: string }[];
  contacts?: { input?: string; wa_id?: string }[];
}

export async function sendCloudMessage(client: GraphClient, input: SendCloudMessageInput): Promise<SentCloudMessage> {
  const payload = {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: recipient(input.to),
    ...messagePayload(input.message),
    ...(input.bizOpaqueCallbackData ? { biz_opaque_callback_data: input.bizOpaqueCallbackData } : {}),
  };
  const path = `/${graphIdSegment(input.phoneNumberId, 'phone number id')}/messages`;
  const response = await client.post<SendResponse>(path, payload, input.token, { idempotent: false });
  const messageId = response.messages?.[0]?.id;
  if (!messageId) {
    // Meta said 2xx, so it probably accepted the message; without the wamid we cannot tell. Never resend.
    throw new OutboundError({ kind: 'ambiguous', service: 'meta', message: `Meta POST ${path} answered without a message id` });
  }
  return { messageId, waId: response.contacts?.[0]?.wa_id };
}

/**
 * Meta prepends the BUSINESS number's country code to a number without '+', which can deliver to
 * the wrong person; our numbers are E.164, so a bare run of digits gets its '+' back.
 */
function recipient(to: string): string {
  const trimmed = to.trim();
  return /^\d+$/.test(trimmed) ? `+${trimmed}` : trimmed;
}

function messagePayload(message: CloudMessage): Record<string, unknown> {
  if (message.type === 'text') {
    if (message.body.length > MAX_TEXT_LENGTH) {
      throw new OutboundError({ kind: 'permanent', service: 'meta', message: `WhatsApp text bodies are limited to ${MAX_TEXT_LENGTH} characters` });
    }
    return { type: 'text', text: { body: message.body } };
  }
  const components =
    message.bodyParameters.length > 0 ? [{ type: 'body', parameters: message.bodyParameters.map((text) => ({ type: 'text', text })) }] : undefined;
  return {
    type: 'template',
    template: { name: message.name, language: { code: message.language }, ...(components ? { components } : {}) },
  };
}
