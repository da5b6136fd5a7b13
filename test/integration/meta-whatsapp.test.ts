// WhatsApp Business Management and Cloud API sends against the fake Meta.
import type { GraphClient } from '../../src/integrations/meta/graph-client.js';
import { debugToken } from '../../src/integrations/meta/oauth.js';
import {
  discoverWhatsappAccounts,
  listApprovedTemplates,
  listPhoneNumbers,
  registerPhoneNumber,
  sendCloudMessage,
  subscribeAppToWaba,
} from '../../src/integrations/meta/whatsapp-business.js';
import { rateLimitReply, type FakeMeta } from '../fakes/fake-meta.js';
import { outboundFailure } from '../support/outbound-failure.js';
import { startFakeMetaWithClient } from '../support/factories.js';

let fake: FakeMeta;
let client: GraphClient;

beforeEach(async () => {
  ({ fake, client } = await startFakeMetaWithClient('wa-secret'));
});
afterEach(() => fake.close());

const failure = outboundFailure;

function connectedAccount() {
  const waba = fake.addWaba({ name: 'Acme Support' });
  const phone = fake.addPhoneNumber(waba.id, { displayPhoneNumber: '+1 555-010-0001', verifiedName: 'Acme' });
  const token = fake.addBusinessToken([waba.id], { assets: [waba.id] });
  return { waba, phone, token };
}

describe('account discovery', () => {
  test("finds the WABAs named in debug_token's granular scopes, with their phone numbers; other WABAs stay unseen", async () => {
    const first = fake.addWaba({ name: 'Acme BR' });
    const second = fake.addWaba({ name: 'Acme MX' });
    fake.addWaba({ name: 'Someone else' });
    const br = fake.addPhoneNumber(first.id, { displayPhoneNumber: '+55 11 99999-0000', verifiedName: 'Acme BR', qualityRating: 'YELLOW' });
    const mx = fake.addPhoneNumber(second.id, { displayPhoneNumber: '+52 55 0000 0000', verifiedName: 'Acme MX' });
    const token = fake.addBusinessToken([first.id, second.id], { assets: [first.id, second.id] });

    const accounts = await discoverWhatsappAccounts(client, token.token, await debugToken(client, token.token));

    expect(accounts).toEqual([
      {
        wabaId: first.id,
        name: 'Acme BR',
        phoneNumbers: [{ id: br.id, displayPhoneNumber: '+55 11 99999-0000', verifiedName: 'Acme BR', qualityRating: 'YELLOW' }],
      },
      {
        wabaId: second.id,
        name: 'Acme MX',
        phoneNumbers: [{ id: mx.id, displayPhoneNumber: '+52 55 0000 0000', verifiedName: 'Acme MX', qualityRating: 'GREEN' }],
      },
    ]);
  });

  test('a token without WhatsApp grants discovers nothing', async () => {
    const token = fake.addToken({ granularScopes: [{ scope: 'pages_show_list', targetIds: ['1'] }] });
    expect(await discoverWhatsappAccounts(client, token.token, await debugToken(client, token.token))).toEqual([]);
  });

  test('phone numbers are read across pages', async () => {
    const { waba, token } = connectedAccount();
    for (let i = 0; i < 30; i += 1) fake.addPhoneNumber(waba.id);
    const numbers = await listPhoneNumbers(client, waba.id, token.token);
    expect(numbers).toHaveLength(31);
    expect(fake.graphRequests({ path: `/${waba.id}/phone_numbers` }).length).toBeGreaterThan(1);
  });
});

describe('onboarding steps', () => {
  test('subscribes the app to the WABA, repeatably', async () => {
    const { waba, token } = connectedAccount();
    await subscribeAppToWaba(client, waba.id, token.token);
    await subscribeAppToWaba(client, waba.id, token.token);
    expect(fake.state.wabas.get(waba.id)?.subscribedAppIds).toEqual([fake.appId]);
  });

  test('registers the number with the PIN; a second registration counts as done', async () => {
    const { waba, token } = connectedAccount();
    const phone = fake.addPhoneNumber(waba.id, { registered: false });
    expect(await registerPhoneNumber(client, phone.id, token.token, '123456')).toEqual({ alreadyRegistered: false });
    expect(fake.state.phoneNumbers.get(phone.id)).toMatchObject({ registered: true, pin: '123456' });
    expect(fake.graphRequests({ method: 'POST', path: `/${phone.id}/register` })[0]?.body).toEqual({ messaging_product: 'whatsapp', pin: '123456' });

    expect(await registerPhoneNumber(client, phone.id, token.token, '123456')).toEqual({ alreadyRegistered: true });
    const mismatch = await failure(registerPhoneNumber(client, phone.id, token.token, '654321'));
    expect(mismatch).toMatchObject({ kind: 'permanent', providerCode: 133005 });
    expect(mismatch.message).not.toContain('654321');
  });
});

describe('templates', () => {
  test('lists only approved templates, across pages', async () => {
    const { waba, token } = connectedAccount();
    for (let i = 0; i < 240; i += 1) {
      fake.addTemplate(waba.id, { name: `reward_${i}`, status: i % 3 === 0 ? 'REJECTED' : 'APPROVED', bodyText: 'Hi {{1}}, you won {{2}} spins' });
    }
    fake.addTemplate(waba.id, { name: 'reward_pending', status: 'PENDING' });
    const templates = await listApprovedTemplates(client, waba.id, token.token);

    expect(templates).toHaveLength(160);
    expect(templates.every((template) => template.status === 'APPROVED')).toBe(true);
    expect(templates[0]).toEqual({
      name: 'reward_1',
      language: 'en_US',
      status: 'APPROVED',
      category: 'UTILITY',
      components: [{ type: 'BODY', text: 'Hi {{1}}, you won {{2}} spins' }],
    });
    // 160 approved at 100 per page: two pages.
    expect(fake.graphRequests({ path: `/${waba.id}/message_templates` })).toHaveLength(2);
  });
});

describe('sending', () => {
  test('text inside the 24-hour window: Meta gets the Cloud API payload and returns the wamid', async () => {
    const { phone, token } = connectedAccount();
    fake.recordInboundMessage(phone.id, '+5511988887777');
    const sent = await sendCloudMessage(client, {
      phoneNumberId: phone.id,
      token: token.token,
      to: '+5511988887777',
      message: { type: 'text', body: 'Congrats Ana!' },
      bizOpaqueCallbackData: 'completion-42',
    });

    expect(sent.messageId).toMatch(/^wamid\./);
    expect(sent.waId).toBe('5511988887777');
    const [request] = fake.graphRequests({ method: 'POST', path: `/${phone.id}/messages` });
    expect(request?.headers.authorization).toBe(`Bearer ${token.token}`);
    expect(request?.headers['content-type']).toContain('application/json');
    expect(request?.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '+5511988887777',
      type: 'text',
      text: { body: 'Congrats Ana!' },
      biz_opaque_callback_data: 'completion-42',
    });
    expect(fake.sentMessages).toEqual([
      expect.objectContaining({ id: sent.messageId, text: 'Congrats Ana!', bizOpaqueCallbackData: 'completion-42' }),
    ]);
  });

  test('text outside the window fails permanently with 131047 so the caller can fall back to a template', async () => {
    const { phone, token } = connectedAccount();
    fake.recordInboundMessage(phone.id, '+5511988887777', fake.clock.now() - 25 * 3600 * 1000);
    const error = await failure(
      sendCloudMessage(client, { phoneNumberId: phone.id, token: token.token, to: '+5511988887777', message: { type: 'text', body: 'hi' } }),
    );
    expect(error).toMatchObject({ kind: 'permanent', providerCode: 131047 });
    expect(fake.sentMessages).toHaveLength(0);
  });

  test('an approved template with its body parameters is accepted; a missing one is refused', async () => {
    const { waba, phone, token } = connectedAccount();
    fake.addTemplate(waba.id, { name: 'spins_won', language: 'pt_BR', bodyText: 'Oi {{1}}, você ganhou {{2}} giros' });
    await sendCloudMessage(client, {
      phoneNumberId: phone.id,
      token: token.token,
      to: '5511988887777',
      message: { type: 'template', name: 'spins_won', language: 'pt_BR', bodyParameters: ['Ana', '3'] },
    });
    expect(fake.sentMessages[0]).toMatchObject({
      to: '+5511988887777',
      template: { name: 'spins_won', language: 'pt_BR', bodyParameters: ['Ana', '3'] },
    });

    const wrongCount = await failure(
      sendCloudMessage(client, {
        phoneNumberId: phone.id,
        token: token.token,
        to: '+5511988887777',
        message: { type: 'template', name: 'spins_won', language: 'pt_BR', bodyParameters: ['Ana'] },
      }),
    );
    expect(wrongCount).toMatchObject({ kind: 'permanent', providerCode: 132000 });
    const missing = await failure(
      sendCloudMessage(client, {
        phoneNumberId: phone.id,
        token: token.token,
        to: '+5511988887777',
        message: { type: 'template', name: 'spins_won', language: 'en_US', bodyParameters: ['Ana', '3'] },
      }),
    );
    expect(missing).toMatchObject({ kind: 'permanent', providerCode: 132001 });
  });

  test('throughput (130429) and pair rate (131056) limits are rate_limited; the pair limit waits at least 6 s', async () => {
    const { phone, token } = connectedAccount();
    fake.recordInboundMessage(phone.id, '+5511988887777');
    const send = () =>
      sendCloudMessage(client, { phoneNumberId: phone.id, token: token.token, to: '+5511988887777', message: { type: 'text', body: 'hi' } });

    fake.failNext({ path: `/${phone.id}/messages`, ...rateLimitReply({ code: 130429, status: 429 }) });
    expect(await failure(send())).toMatchObject({ kind: 'rate_limited', providerCode: 130429 });

    fake.failNext({ path: `/${phone.id}/messages`, ...rateLimitReply({ code: 131056 }) });
    const pair = await failure(send());
    expect(pair).toMatchObject({ kind: 'rate_limited', providerCode: 131056 });
    expect(pair.retryAfterMs).toBeGreaterThanOrEqual(6_000);
    expect(fake.sentMessages).toHaveLength(0);
  });

  test('an unregistered number and a revoked token are refused before anything is sent', async () => {
    const { waba, phone, token } = connectedAccount();
    const unregistered = fake.addPhoneNumber(waba.id, { registered: false });
    const error = await failure(
      sendCloudMessage(client, {
        phoneNumberId: unregistered.id,
        token: token.token,
        to: '+5511988887777',
        message: { type: 'template', name: 'x', language: 'en_US', bodyParameters: [] },
      }),
    );
    expect(error).toMatchObject({ kind: 'permanent', providerCode: 133010 });

    fake.invalidateToken(token.token, 'revoked');
    const revoked = await failure(
      sendCloudMessage(client, { phoneNumberId: phone.id, token: token.token, to: '+5511988887777', message: { type: 'text', body: 'hi' } }),
    );
    expect(revoked).toMatchObject({ kind: 'auth', providerCode: 190, providerSubcode: 458 });
    expect(fake.sentMessages).toHaveLength(0);
  });
});
