// WhatsApp Business Management + Cloud API: WABA node, phone_numbers, message_templates,
// subscribed_apps, register, messages. Sends are validated the way Meta does (registered number,
// approved template in that language with the right parameter count, 24-hour window for free-form
// text) and every accepted send is recorded in state.sentMessages.
import type { FakeMetaContext, FakeMetaRoute } from './context.js';
import { failWith, invalidParameter, permissionError, whatsappError } from './errors.js';
import { fieldsOf } from './fields.js';
import type { FakePhoneNumber, FakeToken, FakeWaba } from './state.js';
import { digitsOf, newWamid } from './state.js';

const ID = '(\\d+)';
const DAY_MS = 24 * 3600 * 1000;

export type ServiceWindowMode = 'enforce' | 'off';

function accessibleWaba(context: FakeMetaContext, id: string): FakeWaba | undefined {
  const waba = context.state.wabas.get(id);
  if (!waba) return undefined;
  // WhatsApp answers a missing asset grant with error 200 (Meta's documented answer).
  if (!context.canAccess(waba.id)) failWith(permissionError('Permissions error'));
  return waba;
}

function accessiblePhone(context: FakeMetaContext, id: string): FakePhoneNumber | undefined {
  const phone = context.state.phoneNumbers.get(id);
  if (!phone) return undefined;
  if (!context.canAccess(phone.id, phone.wabaId)) failWith(permissionError('Permissions error'));
  return phone;
}

function renderPhone(phone: FakePhoneNumber): Record<string, unknown> {
  return {
    id: phone.id,
    display_phone_number: phone.displayPhoneNumber,
    verified_name: phone.verifiedName,
    quality_rating: phone.qualityRating,
    code_verification_status: 'VERIFIED',
    platform_type: phone.registered ? 'CLOUD_API' : 'NOT_APPLICABLE',
  };
}

/** Positional placeholders ({{1}}, {{2}}...) of the BODY component. */
function bodyParameterCount(components: Record<string, unknown>[]): number {
  const body = components.find((component) => String(component.type).toUpperCase() === 'BODY');
  const text = typeof body?.text === 'string' ? body.text : '';
  return new Set(text.match(/\{\{\s*\d+\s*\}\}/g) ?? []).size;
}

/** The numeric limit of a tier name (TIER_250, TIER_2K, ...; TIER_UNLIMITED and unknown names are unlimited). */
export function messagingLimitOf(tier: string): number {
  const match = /^TIER_(\d+)(K?)$/.exec(tier);
  if (!match) return Number.POSITIVE_INFINITY;
  return Number(match[1]) * (match[2] === 'K' ? 1_000 : 1);
}

/**
 * A business-initiated message to a user outside a customer-service window counts once per user
 * per moving 24 h against the portfolio's limit. Meta has no error code for going over; it stops
 * delivering. The fake accepts and counts `overLimit`, which a correct sender keeps at 0.
 */
function countAgainstMessagingLimit(context: FakeMetaContext, phone: FakePhoneNumber, waId: string): void {
  const businessId = context.state.wabas.get(phone.wabaId)?.businessId;
  const business = businessId ? context.state.businesses.get(businessId) : undefined;
  if (!business) return;
  const lastInbound = context.state.lastInboundAt.get(`${phone.id}:${waId}`);
  if (lastInbound !== undefined && context.now - lastInbound <= DAY_MS) return;
  const counted = business.reached.get(waId);
  if (counted !== undefined && context.now - counted < DAY_MS) return;
  const inWindow = [...business.reached.values()].filter((at) => context.now - at < DAY_MS).length;
  if (inWindow >= messagingLimitOf(business.messagingLimit)) business.overLimit += 1;
  business.reached.set(waId, context.now);
}

function accountBlocked(code: number) {
  switch (code) {
    case 131042:
      return whatsappError(
        131042,
        'Business eligibility payment issue',
        'Message failed to send because there were one or more errors related to your payment method.',
      );
    case 131031:
      return whatsappError(131031, 'Account has been locked', 'Your account has been locked due to a policy violation.');
    default:
      return whatsappError(code, 'Temporarily blocked for policies violations', 'The WhatsApp Business Account is restricted from sending messages.');
  }
}

function sendMessage(context: FakeMetaContext, serviceWindow: ServiceWindowMode) {
  const phone = accessiblePhone(context, context.match[1] as string);
  if (!phone) return undefined;
  const body = context.body;
  if (body.messaging_product !== 'whatsapp') return invalidParameter('The parameter messaging_product is required.');
  if (typeof body.to !== 'string' || digitsOf(body.to) === '') return invalidParameter('The parameter to is required.');
  if (!phone.registered) return whatsappError(133010, 'Account not registered', 'The phone number is not registered on WhatsApp Business Platform.');
  const owningWaba = context.state.wabas.get(phone.wabaId);
  if (owningWaba?.blockedCode !== undefined) return accountBlocked(owningWaba.blockedCode);
  if (phone.spamRestricted) {
    return whatsappError(
      131048,
      'Spam rate limit hit',
      'Message failed to send because there are restrictions on how many messages can be sent from this phone number.',
    );
  }
  const waId = digitsOf(body.to);
  const type = typeof body.type === 'string' ? body.type : 'text';
  let text: string | undefined;
  let template: { name: string; language: string; bodyParameters: string[] } | undefined;

  if (type === 'text') {
    const textBody = (body.text as { body?: unknown } | undefined)?.body;
    if (typeof textBody !== 'string' || textBody === '') return invalidParameter("The parameter text['body'] is required.");
    if (textBody.length > 4096) return invalidParameter("Param text['body'] must be at most 4096 characters long.");
    const lastInbound = context.state.lastInboundAt.get(`${phone.id}:${waId}`);
    if (serviceWindow === 'enforce' && (lastInbound === undefined || context.now - lastInbound > DAY_MS)) {
      return whatsappError(
        131047,
        'Re-engagement message',
        'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
      );
    }
    text = textBody;
  } else if (type === 'template') {
    const spec = body.template as
      | { name?: string; language?: { code?: string }; components?: { type?: string; parameters?: { type?: string; text?: string }[] }[] }
      | undefined;
    const waba = context.state.wabas.get(phone.wabaId);
    const found = waba?.templates.find((candidate) => candidate.name === spec?.name && candidate.language === spec?.language?.code);
    if (found?.status === 'PAUSED') {
      return whatsappError(132015, 'Template is Paused', 'Template is paused due to low quality so it cannot be sent in a template message.');
    }
    if (found?.status === 'DISABLED') {
      return whatsappError(
        132016,
        'Template is Disabled',
        'Template has been paused too many times due to low quality and is now permanently disabled.',
      );
    }
    if (!spec?.name || !found || found.status !== 'APPROVED') {
      return whatsappError(
        132001,
        'Template name does not exist in the translation',
        `template name (${spec?.name ?? ''}) does not exist in ${spec?.language?.code ?? ''}`,
      );
    }
    const bodyParameters = (spec.components ?? [])
      .filter((component) => String(component.type).toLowerCase() === 'body')
      .flatMap((component) => component.parameters ?? [])
      .map((parameter) => String(parameter.text ?? ''));
    if (bodyParameters.length !== bodyParameterCount(found.components)) {
      return whatsappError(
        132000,
        'Number of parameters does not match the expected number of params',
        `body: number of localizable_params (${bodyParameters.length}) does not match the expected number of params (${bodyParameterCount(found.components)})`,
      );
    }
    if (found.category === 'MARKETING' && context.state.marketingStopped.has(waId)) {
      return whatsappError(131050, 'Unable to deliver the message', 'The user has stopped marketing messages from this business.');
    }
    if (found.category === 'MARKETING' && context.state.marketingCapped.has(waId)) {
      return whatsappError(
        131049,
        'This message was not delivered to maintain healthy ecosystem engagement.',
        'This message was not delivered to maintain healthy ecosystem engagement.',
      );
    }
    template = { name: found.name, language: found.language, bodyParameters };
  } else {
    return whatsappError(131053, 'Media upload error', `Unsupported message type in the fake: ${type}`);
  }

  countAgainstMessagingLimit(context, phone, waId);
  const id = newWamid();
  context.state.sentMessages.push({
    id,
    phoneNumberId: phone.id,
    to: body.to,
    waId,
    type,
    ...(text !== undefined ? { text } : {}),
    ...(template ? { template } : {}),
    ...(typeof body.biz_opaque_callback_data === 'string' ? { bizOpaqueCallbackData: body.biz_opaque_callback_data } : {}),
    token: context.accessToken as string,
    payload: body,
    at: context.now,
  });
  return { body: { messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: waId }], messages: [{ id }] } };
}

export function whatsappRoutes(options: { serviceWindow: ServiceWindowMode }): FakeMetaRoute[] {
  return [
    {
      method: 'GET',
      pattern: new RegExp(`^/${ID}/phone_numbers$`),
      auth: 'token',
      handler: (context) => {
        const waba = accessibleWaba(context, context.match[1] as string);
        if (!waba) return undefined;
        const numbers = [...context.state.phoneNumbers.values()].filter((phone) => phone.wabaId === waba.id).map(renderPhone);
        const defaults = fieldsOf('verified_name', 'code_verification_status', 'display_phone_number', 'quality_rating', 'id');
        const page = context.page(numbers, { defaultLimit: 25, maxLimit: 100 });
        return { body: { ...page, data: page.data.map((item) => context.render(item as Record<string, unknown>, defaults)) } };
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/${ID}/message_templates$`),
      auth: 'token',
      handler: (context) => {
        const waba = accessibleWaba(context, context.match[1] as string);
        if (!waba) return undefined;
        const { status, name } = context.params;
        const templates = waba.templates
          .filter((template) => (!status || template.status === status) && (!name || template.name === name))
          .map((template) => ({ ...template }));
        const defaults = fieldsOf('name', 'components', 'language', 'status', 'category', 'id');
        const page = context.page(templates, { defaultLimit: 25, maxLimit: 250 });
        return { body: { ...page, data: page.data.map((item) => context.render(item as Record<string, unknown>, defaults)) } };
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/${ID}/subscribed_apps$`),
      auth: 'token',
      handler: (context) => {
        const waba = accessibleWaba(context, context.match[1] as string);
        if (!waba) return undefined;
        const appId = (context.token as FakeToken).appId;
        if (!waba.subscribedAppIds.includes(appId)) waba.subscribedAppIds.push(appId);
        return { body: { success: true } };
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/${ID}/subscribed_apps$`),
      auth: 'token',
      handler: (context) => {
        const waba = accessibleWaba(context, context.match[1] as string);
        if (!waba) return undefined;
        return { body: { data: waba.subscribedAppIds.map((id) => ({ whatsapp_business_api_data: { id, name: 'Fake Meta App' } })) } };
      },
    },
    {
      method: 'DELETE',
      pattern: new RegExp(`^/${ID}/subscribed_apps$`),
      auth: 'token',
      handler: (context) => {
        const waba = accessibleWaba(context, context.match[1] as string);
        if (!waba) return undefined;
        const appId = (context.token as FakeToken).appId;
        waba.subscribedAppIds = waba.subscribedAppIds.filter((id) => id !== appId);
        return { body: { success: true } };
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/${ID}/register$`),
      auth: 'token',
      handler: (context) => {
        const phone = accessiblePhone(context, context.match[1] as string);
        if (!phone) return undefined;
        if (context.body.messaging_product !== 'whatsapp') return invalidParameter('The parameter messaging_product is required.');
        const pin = String(context.body.pin ?? '');
        if (!/^\d{6}$/.test(pin)) return invalidParameter('Param pin must be 6 characters long.');
        if (phone.registered) {
          // Our reference does not document Meta's answer to a second registration; the fake
          // assumes a code-100 error saying "already registered" (same PIN) or 133005 (other PIN).
          if (phone.pin !== undefined && phone.pin !== pin)
            return whatsappError(
              133005,
              'Two step verification PIN Mismatch',
              'The PIN does not match the two-step verification PIN of this number.',
            );
          return whatsappError(100, 'Phone number is already registered', 'Phone number is already registered with Cloud API.');
        }
        phone.registered = true;
        phone.pin = pin;
        return { body: { success: true } };
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/${ID}/messages$`),
      auth: 'token',
      handler: (context) => sendMessage(context, options.serviceWindow),
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/${ID}$`),
      auth: 'token',
      handler: (context) => {
        const id = context.match[1] as string;
        const waba = accessibleWaba(context, id);
        if (waba) {
          return {
            body: context.render(
              {
                id: waba.id,
                name: waba.name,
                timezone_id: waba.timezoneId ?? '1',
                message_template_namespace: `ns_${waba.id}`,
                ...(waba.businessId ? { owner_business_info: { id: waba.businessId, name: 'Fake Portfolio' } } : {}),
              },
              fieldsOf('id', 'name'),
            ),
          };
        }
        const business = context.state.businesses.get(id);
        if (business) {
          return {
            body: context.render(
              { id: business.id, name: 'Fake Portfolio', whatsapp_business_manager_messaging_limit: business.messagingLimit },
              fieldsOf('id', 'name'),
            ),
          };
        }
        const phone = accessiblePhone(context, id);
        if (phone)
          return {
            body: context.render(
              renderPhone(phone),
              fieldsOf('verified_name', 'code_verification_status', 'display_phone_number', 'quality_rating', 'id'),
            ),
          };
        return undefined;
      },
    },
  ];
}
