// The waapi-style provider clients over real HTTP against the fake provider: what goes on the wire,
// and how each failure is classified (above all: whether the message may already have gone out).
import { inspect } from 'node:util';
import { OutboundError, type OutboundErrorKind } from '../../src/integrations/outbound-error.js';
import { platformProviderConfig, sendViaPlatformProvider, sendViaTenantProvider, toProviderNumber } from '../../src/integrations/whatsapp/index.js';
import { startFakeHttpServer } from '../support/fake-http-server.js';
import { startFakeWhatsappProvider, type FakeWhatsappProvider, type ScriptedWhatsappReply } from '../fakes/fake-whatsapp-provider.js';

const TENANT_KEY = 'tenant-key-4f9a2c71e0';
const PLATFORM_KEY = 'platform-key-b83d55aa19';
const timeoutMs = 5_000;
const message = { number: '+51 987 654 321', message: 'Congratulations, Ana!' };

let fake: FakeWhatsappProvider;

beforeEach(async () => {
  fake = await startFakeWhatsappProvider({ apiKey: TENANT_KEY });
});

afterEach(async () => {
  await fake.close();
});

// The fake listens on 127.0.0.1: these tests allow private networks (see outbound-network.test.ts for the rule).
const sendTenant = (options = { timeoutMs }) =>
  sendViaTenantProvider({ apiUrl: fake.sendUrl, apiKey: TENANT_KEY, sender: 'Acme' }, message, { ...options, allowPrivateNetworks: true });

async function outboundError(promise: Promise<unknown>): Promise<OutboundError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(OutboundError);
  return error as OutboundError;
}

describe('what the provider receives', () => {
  test('tenant provider: POST apiUrl, Bearer apiKey, {number, message, sender}', async () => {
    const result = await sendTenant();

    expect(result).toEqual({ providerMessageId: 'msg-1' });
    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/api/send-message');
    expect(request?.headers.authorization).toBe(`Bearer ${TENANT_KEY}`);
    expect(request?.headers['content-type']).toMatch(/^application\/json/);
    expect(request?.body).toEqual({ number: '51987654321', message: 'Congratulations, Ana!', sender: 'Acme' });
    expect(fake.sent).toEqual([
      { id: 'msg-1', path: '/api/send-message', number: '51987654321', message: 'Congratulations, Ana!', sender: 'Acme', instanceId: undefined },
    ]);
  });

  test('tenant provider without a sender: {number, message}', async () => {
    await sendViaTenantProvider({ apiUrl: fake.sendUrl, apiKey: TENANT_KEY }, message, { timeoutMs, allowPrivateNetworks: true });
    expect(fake.requests[0]?.body).toEqual({ number: '51987654321', message: 'Congratulations, Ana!' });
  });

  test('platform provider: POST WHATSAPP_API_URL, Bearer WHATSAPP_API_KEY, {number, message, instanceId}', async () => {
    const platform = await startFakeWhatsappProvider({ apiKey: PLATFORM_KEY, instanceId: 'instance-7' });
    try {
      const config = platformProviderConfig({ apiUrl: platform.url, apiKey: PLATFORM_KEY, instanceId: 'instance-7' });
      expect(config).toBeDefined();
      const result = await sendViaPlatformProvider(config!, { number: '+4915112345678', message: 'Hi' }, { timeoutMs });

      expect(result.providerMessageId).toBe('msg-1');
      expect(platform.requests[0]?.path).toBe('/');
      expect(platform.requests[0]?.headers.authorization).toBe(`Bearer ${PLATFORM_KEY}`);
      expect(platform.requests[0]?.body).toEqual({ number: '4915112345678', message: 'Hi', instanceId: 'instance-7' });
      expect(platform.sent).toHaveLength(1);
    } finally {
      await platform.close();
    }
  });

  test('platformProviderConfig is undefined unless URL and key are set', () => {
    expect(platformProviderConfig({ apiUrl: undefined, apiKey: 'k', instanceId: 'i' })).toBeUndefined();
    expect(platformProviderConfig({ apiUrl: 'https://wa.example', apiKey: undefined, instanceId: 'i' })).toBeUndefined();
  });

  test('the number is the E.164 phone as digits; anything else is refused before any request', async () => {
    expect(toProviderNumber('+51987654321')).toBe('51987654321');
    expect(toProviderNumber(' +1 (650) 555-1234 ')).toBe('16505551234');
    const error = await outboundError(
      sendViaTenantProvider(
        { apiUrl: fake.url, apiKey: TENANT_KEY },
        { number: 'call me', message: 'Hi' },
        { timeoutMs, allowPrivateNetworks: true },
      ),
    );
    expect(error.kind).toBe('permanent');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('message ids from common response shapes', () => {
  test.each<[string, ScriptedWhatsappReply, string | undefined]>([
    ['id', { body: { id: 'a1' } }, 'a1'],
    ['messageId', { body: { messageId: 'a2' } }, 'a2'],
    ['message_id', { body: { message_id: 'a3' } }, 'a3'],
    ['data.id', { body: { data: { id: 'a4' } } }, 'a4'],
    ['data.messageId', { body: { success: true, data: { messageId: 'a5' } } }, 'a5'],
    ['key.id (Baileys-style)', { body: { key: { id: 'a6', remoteJid: '51987654321@s.whatsapp.net' } } }, 'a6'],
    ['messages[0].id (Cloud-API-style)', { body: { messages: [{ id: 'wamid.a7' }] } }, 'wamid.a7'],
    ['numeric id', { body: { id: 12345 } }, '12345'],
    [
      'waapi.app nested whatsapp-web.js id',
      {
        body: {
          status: 'success',
          data: { status: 'success', instanceId: '7', data: { id: { fromMe: true, id: 'ABC', _serialized: 'true_51987654321@c.us_ABC' } } },
        },
      },
      'true_51987654321@c.us_ABC',
    ],
    ['no id', { body: { status: 'success' } }, undefined],
    ['text body', { body: 'OK' }, undefined],
    ['204 without body', { status: 204 }, undefined],
  ])('%s', async (_shape, reply, id) => {
    fake.scriptReplies(reply);
    await expect(sendTenant()).resolves.toEqual({ providerMessageId: id });
  });
});

describe('failures are classified by whether the message may have been sent', () => {
  test('a wrong key is auth, and nothing was sent', async () => {
    const error = await outboundError(
      sendViaTenantProvider({ apiUrl: fake.url, apiKey: 'not-the-key' }, message, { timeoutMs, allowPrivateNetworks: true }),
    );
    expect(error).toMatchObject({ kind: 'auth', service: 'whatsapp-provider', status: 401 });
    expect(error.message).toContain('HTTP 401');
    expect(error.message).not.toContain('invalid or missing API token');
    expect(fake.sent).toHaveLength(0);
  });

  test('429 with Retry-After in seconds is rate_limited with retryAfterMs', async () => {
    fake.scriptReplies({ status: 429, body: { status: 'error', message: 'slow down' }, headers: { 'retry-after': '7' } });
    const error = await outboundError(sendTenant());
    expect(error).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 7_000 });
    expect(fake.sent).toHaveLength(0);
  });

  test('429 with Retry-After as an HTTP date is rate_limited with the time left', async () => {
    fake.scriptReplies({ status: 429, headers: { 'retry-after': new Date(Date.now() + 120_000).toUTCString() } });
    const error = await outboundError(sendTenant());
    expect(error.kind).toBe('rate_limited');
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(error.retryAfterMs).toBeLessThanOrEqual(120_000);
  });

  test('429 without a header takes retry_after from the body (seconds)', async () => {
    fake.scriptReplies({ status: 429, body: { status: 'error', message: 'rate limited', retry_after: 30 } });
    await expect(sendTenant()).rejects.toMatchObject({ kind: 'rate_limited', retryAfterMs: 30_000 });
  });

  test.each<[number, OutboundErrorKind]>([
    [400, 'permanent'],
    [403, 'auth'],
    [404, 'permanent'],
    [422, 'permanent'],
    [408, 'ambiguous'],
    [502, 'ambiguous'],
    [503, 'ambiguous'],
    [500, 'ambiguous'],
    [504, 'ambiguous'],
  ])('HTTP %i is %s', async (status, kind) => {
    fake.scriptReplies({ status, body: { status: 'error', message: `failure ${status}` } });
    const error = await outboundError(sendTenant());
    expect(error).toMatchObject({ kind, status, service: 'whatsapp-provider' });
    // A short classified reason; what the provider wrote stays out (the message reaches tenants' views).
    expect(error.message).toContain(`answered HTTP ${status}`);
    expect(error.message).not.toContain(`failure ${status}`);
  });

  test('503 with Retry-After: the provider refused the message for now (transient, with its delay)', async () => {
    fake.scriptReplies({ status: 503, body: 'Service Unavailable', headers: { 'retry-after': '20' } });
    const error = await outboundError(sendTenant());
    expect(error).toMatchObject({ kind: 'transient', retryAfterMs: 20_000 });
    expect(error.message).not.toContain('Service Unavailable');
    expect(fake.sent).toHaveLength(0);
  });

  test('a gateway 502 after the provider accepted the message is ambiguous, never "not sent"', async () => {
    fake.scriptReplies({ status: 502, body: 'Bad Gateway', recordAsSent: true });
    const error = await outboundError(sendTenant());
    expect(error.kind).toBe('ambiguous');
    expect(error.message).toMatch(/may have been sent/);
    expect(fake.sent).toHaveLength(1);
  });

  test('500: it may have been sent (ambiguous)', async () => {
    fake.scriptReplies({ status: 500, body: { error: 'internal' }, recordAsSent: true });
    const error = await outboundError(sendTenant());
    expect(error.kind).toBe('ambiguous');
    expect(error.message).toMatch(/may have been sent/);
    expect(fake.sent).toHaveLength(1);
  });

  test('no answer within the timeout after the request was sent is ambiguous, and the provider did send it once', async () => {
    fake.scriptReplies({ hold: true });
    const error = await outboundError(sendTenant({ timeoutMs: 1_000 }));
    expect(error.kind).toBe('ambiguous');
    expect(error.status).toBeUndefined();
    expect(error.message).toMatch(/timed out .*after it was sent/);
    expect(fake.sent).toHaveLength(1);
    expect(fake.requests).toHaveLength(1);
  });

  test('a reply delayed beyond the timeout is ambiguous too, and recorded as sent', async () => {
    fake.scriptReplies({ delayMs: 2_500 });
    const error = await outboundError(sendTenant({ timeoutMs: 1_000 }));
    expect(error.kind).toBe('ambiguous');
    expect(fake.sent).toHaveLength(1);
  });

  test('connection refused is transient: nothing was sent', async () => {
    const closed = await startFakeHttpServer(() => ({}));
    await closed.close();
    const error = await outboundError(
      sendViaTenantProvider({ apiUrl: `${closed.url}/send`, apiKey: TENANT_KEY }, message, { timeoutMs, allowPrivateNetworks: true }),
    );
    expect(error.kind).toBe('transient');
    expect(error.message).toMatch(/ECONNREFUSED.*before it was sent/);
    expect(error.cause).toMatchObject({ code: 'ECONNREFUSED' });
  });

  test('an unresolvable host is transient', async () => {
    const error = await outboundError(
      sendViaTenantProvider({ apiUrl: 'http://no-such-host.invalid/send', apiKey: TENANT_KEY }, message, { timeoutMs, allowPrivateNetworks: true }),
    );
    expect(error.kind).toBe('transient');
  });

  test('a malformed apiUrl is permanent', async () => {
    const error = await outboundError(
      sendViaTenantProvider({ apiUrl: 'ftp://example.com/x', apiKey: TENANT_KEY }, message, { timeoutMs, allowPrivateNetworks: true }),
    );
    expect(error.kind).toBe('permanent');
  });

  test('a redirect is not followed (a POST must not be replayed elsewhere): permanent', async () => {
    fake.scriptReplies({ status: 301, headers: { location: 'http://127.0.0.1:1/elsewhere' } });
    const error = await outboundError(sendTenant());
    expect(error).toMatchObject({ kind: 'permanent', status: 301 });
    expect(fake.requests).toHaveLength(1);
  });

  test.each<[string, unknown, string]>([
    ['waapi envelope error (instance not connected)', { status: 'error', message: 'Instance is not connected' }, 'Instance is not connected'],
    ['waapi inner action error', { status: 'success', data: { status: 'error', message: 'Invalid chatId' } }, 'Invalid chatId'],
    ['success:false', { success: false, error: 'Number is not on WhatsApp' }, 'Number is not on WhatsApp'],
    ['error object without id', { error: { message: 'sender not allowed', code: 17 } }, 'sender not allowed'],
  ])('HTTP 200 whose body reports an error is permanent: %s (the provider text is not echoed)', async (_name, body, providerMessage) => {
    fake.scriptReplies({ status: 200, body, recordAsSent: false });
    const error = await outboundError(sendTenant());
    expect(error).toMatchObject({ kind: 'permanent', status: 200 });
    expect(error.message).not.toContain(providerMessage);
    expect(error.message).toMatch(/reported an error in its HTTP 200 answer/);
  });

  test('an error code in the body becomes providerCode', async () => {
    fake.scriptReplies({ status: 200, body: { error: { message: 'sender not allowed', code: 17 } }, recordAsSent: false });
    await expect(sendTenant()).rejects.toMatchObject({ providerCode: 17 });
  });
});

describe('the API key never leaks into errors', () => {
  const failures: [string, () => Promise<unknown>][] = [
    [
      '401 echoing the key',
      async () => {
        fake.scriptReplies({ status: 401, body: { status: 'error', message: `token ${TENANT_KEY} is revoked` } });
        return sendTenant();
      },
    ],
    [
      '200 with an inner error echoing the key',
      async () => {
        fake.scriptReplies({ status: 200, body: { status: 'error', message: `bad key ${TENANT_KEY}` }, recordAsSent: false });
        return sendTenant();
      },
    ],
    [
      '500 with a text body echoing the key',
      async () => {
        fake.scriptReplies({ status: 500, body: `Authorization: Bearer ${TENANT_KEY} failed` });
        return sendTenant();
      },
    ],
    [
      'timeout after sending',
      async () => {
        fake.scriptReplies({ hold: true });
        return sendTenant({ timeoutMs: 300 });
      },
    ],
    [
      'connection refused',
      async () => {
        const closed = await startFakeHttpServer(() => ({}));
        await closed.close();
        return sendViaTenantProvider({ apiUrl: closed.url, apiKey: TENANT_KEY }, message, { timeoutMs, allowPrivateNetworks: true });
      },
    ],
  ];

  test.each(failures)('%s', async (_name, fail) => {
    const error = await outboundError(fail());
    expect(error.message).not.toContain(TENANT_KEY);
    expect(error.stack ?? '').not.toContain(TENANT_KEY);
    // what a logger would print, cause included (got's own errors carry the request headers)
    expect(inspect(error, { depth: 20, showHidden: false })).not.toContain(TENANT_KEY);
    expect(JSON.stringify({ ...error, cause: error.cause })).not.toContain(TENANT_KEY);
  });
});
