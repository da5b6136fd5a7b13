// The Graph client over real HTTP against the fake Meta: credentials on the wire, pagination, and
// how each kind of failure is classified (what Temporal retry policies will act on).
import { createHmac } from 'node:crypto';
import { createGraphClient, type GraphClient } from '../../src/integrations/meta/graph-client.js';
import { sendCloudMessage } from '../../src/integrations/meta/whatsapp-business.js';
import { startFakeHttpServer } from '../support/fake-http-server.js';
import { rateLimitReply, type FakeMeta } from '../fakes/fake-meta.js';
import { outboundFailure } from '../support/outbound-failure.js';
import { startFakeMetaWithClient } from '../support/factories.js';

let fake: FakeMeta;
let client: GraphClient;

beforeEach(async () => {
  ({ fake, client } = await startFakeMetaWithClient('test-app-secret'));
});
afterEach(() => fake.close());

const failure = outboundFailure;

function seedMedia(comments: number) {
  const owner = fake.addInstagramAccount({ username: 'acme' });
  const media = fake.addInstagramMedia({ ownerId: owner.id });
  const start = Date.parse('2026-01-01T00:00:00Z');
  for (let i = 0; i < comments; i += 1) fake.addInstagramComment(media.id, { username: `user${i}`, atMs: start + i * 60_000 });
  return media;
}

describe('credentials on the wire', () => {
  test('the token travels in the Authorization header and appsecret_proof is its HMAC-SHA256 with the app secret', async () => {
    const token = fake.addToken();
    const me = await client.get<{ id: string }>('/me', { fields: 'id' }, token.token);
    expect(me.id).toBe(token.userId);

    const [request] = fake.graphRequests({ method: 'GET', path: '/me' });
    expect(request?.version).toBe('v26.0');
    expect(request?.headers.authorization).toBe(`Bearer ${token.token}`);
    expect(request?.tokenSource).toBe('header');
    expect(request?.query.has('access_token')).toBe(false);
    expect(request?.appsecretProof).toBe(createHmac('sha256', 'test-app-secret').update(token.token).digest('hex'));
  });

  test('a client with the wrong app secret is refused by Meta (code 100) and the error carries neither token nor proof', async () => {
    const token = fake.addToken();
    const wrong = createGraphClient({ ...fake.clientOptions, appSecret: 'not-the-secret', timeoutMs: 2_000 });
    const error = await failure(wrong.get('/me', {}, token.token));
    expect(error).toMatchObject({ kind: 'permanent', service: 'meta', providerCode: 100, status: 400 });
    expect(error.message).toContain('Invalid appsecret_proof');
    const sentProof = fake.graphRequests({ path: '/me' })[0]?.appsecretProof as string;
    expect(error.message).not.toContain(token.token);
    expect(error.message).not.toContain(sentProof);
  });

  test('without an app secret no proof is sent, and a fake requiring one refuses the call', async () => {
    const token = fake.addToken();
    const noSecret = createGraphClient({ baseUrl: fake.url, version: 'v26.0', timeoutMs: 2_000 });
    const error = await failure(noSecret.get('/me', {}, token.token));
    expect(error.message).toContain('require an appsecret_proof');
    expect(fake.graphRequests({ path: '/me' })[0]?.appsecretProof).toBeUndefined();
  });
});

describe('pagination', () => {
  test("follows cursors across pages, keeps the token out of the URL even though Meta's next links embed it", async () => {
    const media = seedMedia(120);
    const token = fake.addToken();
    const items = await client
      .paginate<{ id: string; username: string }>(`/${media.id}/comments`, { fields: 'id,username', limit: 50 }, token.token, { maxPages: 10 })
      .toArray();

    expect(items).toHaveLength(120);
    expect(new Set(items.map((item) => item.id)).size).toBe(120);
    // Newest first, like Instagram.
    expect(items[0]?.username).toBe('user119');
    expect(items[119]?.username).toBe('user0');
    const pages = fake.graphRequests({ path: `/${media.id}/comments` });
    expect(pages).toHaveLength(3);
    expect(pages.every((page) => !page.query.has('access_token') && page.headers.authorization === `Bearer ${token.token}`)).toBe(true);
    expect(pages[1]?.query.get('after')).toBeTruthy();
  });

  test('stops at maxPages and says so; the last page (no paging.next) is not a cap', async () => {
    const media = seedMedia(120);
    const token = fake.addToken();
    const capped = client.paginate(`/${media.id}/comments`, { limit: 50 }, token.token, { maxPages: 2 });
    expect(await capped.toArray()).toHaveLength(100);
    expect(capped.stoppedAtPageCap).toBe(true);

    const whole = client.paginate(`/${media.id}/comments`, { limit: 50 }, token.token, { maxPages: 3 });
    expect(await whole.toArray()).toHaveLength(120);
    expect(whole.stoppedAtPageCap).toBe(false);
  });

  test('follows a paging.next link without cursors (path and parameters only, token stays in the header)', async () => {
    const token = fake.addToken();
    fake.override('GET', /^\/offset-edge$/, (context) => {
      const offset = Number(context.params.offset ?? 0);
      const next = new URL(`${context.baseUrl}/${context.version}/offset-edge`);
      next.searchParams.set('offset', String(offset + 2));
      next.searchParams.set('access_token', context.accessToken ?? '');
      return { body: { data: [{ n: offset }, { n: offset + 1 }], ...(offset < 2 ? { paging: { next: next.toString() } } : {}) } };
    });
    const items = await client.paginate<{ n: number }>('/offset-edge', {}, token.token, { maxPages: 5 }).toArray();
    expect(items.map((item) => item.n)).toEqual([0, 1, 2, 3]);
    const second = fake.graphRequests({ path: '/offset-edge' })[1];
    expect(second?.query.get('offset')).toBe('2');
    expect(second?.query.has('access_token')).toBe(false);
  });
});

describe('failure classification', () => {
  test("an expired token (190/463) is an auth error with Meta's codes and no token in the message", async () => {
    const token = fake.addToken({ expiresAt: fake.clock.now() + 60_000 });
    fake.clock.advance(120_000);
    const error = await failure(client.get('/me', {}, token.token));
    expect(error).toMatchObject({ kind: 'auth', providerCode: 190, providerSubcode: 463, status: 400 });
    expect(error.message).toContain('Session has expired');
    expect(error.message).not.toContain(token.token);
  });

  test('a token whose user removed the app (190/458) and a permission error (200) are auth errors', async () => {
    const token = fake.addToken();
    fake.invalidateToken(token.token, 'revoked');
    expect(await failure(client.get('/me', {}, token.token))).toMatchObject({ kind: 'auth', providerSubcode: 458 });

    const limited = fake.addToken({ assets: [] });
    const waba = fake.addWaba();
    expect(await failure(client.get(`/${waba.id}`, {}, limited.token))).toMatchObject({ kind: 'auth', providerCode: 200, status: 403 });
  });

  test('a BUC throttle with X-Business-Use-Case-Usage is rate_limited with the regain time in ms', async () => {
    const token = fake.addToken();
    fake.failNext({ path: '/me', ...rateLimitReply({ code: 80002, regainMinutes: 7 }) });
    const error = await failure(client.get('/me', {}, token.token));
    expect(error).toMatchObject({ kind: 'rate_limited', providerCode: 80002, retryAfterMs: 7 * 60_000 });
  });

  test('HTTP 429 with Retry-After and an app-level throttle code (#4) are rate_limited', async () => {
    const token = fake.addToken();
    fake.failNext({ path: '/me', status: 429, body: 'Too Many Requests', headers: { 'retry-after': '30' } });
    expect(await failure(client.get('/me', {}, token.token))).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 30_000 });

    fake.failNext({ path: '/me', ...rateLimitReply({ code: 4, status: 403 }) });
    const error = await failure(client.get('/me', {}, token.token));
    expect(error).toMatchObject({ kind: 'rate_limited', providerCode: 4, retryAfterMs: undefined });
  });

  test('5xx, code 2 and is_transient are transient; an unknown 4xx code is permanent', async () => {
    const token = fake.addToken();
    fake.failNext({ path: '/me', status: 503, body: 'upstream unavailable' });
    expect(await failure(client.get('/me', {}, token.token))).toMatchObject({ kind: 'transient', status: 503 });

    fake.failNext({ path: '/me', status: 500, error: { message: 'Service temporarily unavailable', code: 2, is_transient: true } });
    expect(await failure(client.get('/me', {}, token.token))).toMatchObject({ kind: 'transient', providerCode: 2 });

    fake.failNext({ path: '/me', error: { message: 'Something odd', code: 99999, is_transient: true } });
    expect(await failure(client.get('/me', {}, token.token))).toMatchObject({ kind: 'transient', providerCode: 99999 });

    fake.failNext({ path: '/me', error: { message: '(#100) Invalid parameter', code: 100 } });
    expect(await failure(client.get('/me', {}, token.token))).toMatchObject({ kind: 'permanent', providerCode: 100 });
  });

  test('a GET that times out is transient', async () => {
    const token = fake.addToken();
    const impatient = createGraphClient({ ...fake.clientOptions, timeoutMs: 200 });
    fake.failNext({ path: '/me', delayMs: 1_500 });
    const error = await failure(impatient.get('/me', {}, token.token));
    expect(error.kind).toBe('transient');
    expect(error.message).toContain('timed out');
  });

  test('a message send whose answer never arrives is ambiguous, and Meta did receive and carry out exactly one send', async () => {
    const waba = fake.addWaba();
    const phone = fake.addPhoneNumber(waba.id);
    const token = fake.addBusinessToken([waba.id]);
    fake.recordInboundMessage(phone.id, '+5511999990000');
    const impatient = createGraphClient({ ...fake.clientOptions, timeoutMs: 300 });
    fake.failNext({ method: 'POST', path: `/${phone.id}/messages`, delayMs: 2_000 });

    const error = await failure(
      sendCloudMessage(impatient, {
        phoneNumberId: phone.id,
        token: token.token,
        to: '+5511999990000',
        message: { type: 'text', body: 'You won 3 spins' },
      }),
    );
    expect(error.kind).toBe('ambiguous');
    expect(fake.graphRequests({ method: 'POST', path: `/${phone.id}/messages` })).toHaveLength(1);
    expect(fake.sentMessages).toHaveLength(1);
    expect(fake.sentMessages[0]).toMatchObject({ to: '+5511999990000', text: 'You won 3 spins' });
  });

  test("a bare 502 from a gateway on a send is ambiguous; Meta's own 5xx error is transient", async () => {
    const waba = fake.addWaba();
    const phone = fake.addPhoneNumber(waba.id);
    const token = fake.addBusinessToken([waba.id]);
    const send = () =>
      sendCloudMessage(client, {
        phoneNumberId: phone.id,
        token: token.token,
        to: '+5511999990000',
        message: { type: 'template', name: 'x', language: 'en_US', bodyParameters: [] },
      });
    fake.failNext({ path: `/${phone.id}/messages`, status: 502, body: '<html>Bad Gateway</html>' });
    expect(await failure(send())).toMatchObject({ kind: 'ambiguous', status: 502 });
    fake.failNext({ path: `/${phone.id}/messages`, status: 500, error: { message: '(#131000) Something went wrong', code: 131000 } });
    expect(await failure(send())).toMatchObject({ kind: 'transient', providerCode: 131000 });
    // Without Retry-After a bare 503 proves nothing either; with it, it is a refusal before acting.
    fake.failNext({ path: `/${phone.id}/messages`, status: 503, body: 'Service Unavailable' });
    expect(await failure(send())).toMatchObject({ kind: 'ambiguous', status: 503 });
    fake.failNext({ path: `/${phone.id}/messages`, status: 503, body: 'Service Unavailable', headers: { 'retry-after': '30' } });
    expect(await failure(send())).toMatchObject({ kind: 'transient', status: 503, retryAfterMs: 30_000 });
    expect(fake.sentMessages).toHaveLength(0);
  });

  test('a refused connection is transient, even for a send', async () => {
    const closed = await startFakeHttpServer(() => ({ body: {} }));
    const url = closed.url;
    await closed.close();
    const offline = createGraphClient({ baseUrl: url, version: 'v26.0', appSecret: 's', timeoutMs: 2_000 });
    const error = await failure(
      sendCloudMessage(offline, { phoneNumberId: '123', token: 'EAAGsecret-token', to: '+5511999990000', message: { type: 'text', body: 'hi' } }),
    );
    expect(error.kind).toBe('transient');
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).not.toContain('EAAGsecret-token');
    expect(JSON.stringify({ message: error.message, cause: String(error.cause) })).not.toContain('EAAGsecret-token');
  });
});
