// OAuth against the fake Meta: login dialog URL, code exchange (redirect flow and Embedded Signup),
// fb_exchange_token refresh and debug_token for expiring and never-expiring tokens.
import { createGraphClient, type GraphClient } from '../../src/integrations/meta/graph-client.js';
import { buildLoginDialogUrl, debugToken, exchangeCodeForToken, exchangeForLongLivedToken } from '../../src/integrations/meta/oauth.js';
import type { FakeMeta } from '../fakes/fake-meta.js';
import { outboundFailure } from '../support/outbound-failure.js';
import { startFakeMetaWithClient } from '../support/factories.js';

const REDIRECT = 'https://api.example.test/meta/callback';
const DAY_MS = 24 * 3600 * 1000;

let fake: FakeMeta;
let client: GraphClient;

beforeEach(async () => {
  ({ fake, client } = await startFakeMetaWithClient('oauth-secret'));
});
afterEach(() => fake.close());

const failure = outboundFailure;

test('the login dialog URL asks for an authorization code with the Login for Business configuration', () => {
  const url = new URL(buildLoginDialogUrl({ version: 'v26.0', appId: '123', redirectUri: REDIRECT, configId: 'cfg-9', state: 'signed.state' }));
  expect(`${url.origin}${url.pathname}`).toBe('https://www.facebook.com/v26.0/dialog/oauth');
  expect(Object.fromEntries(url.searchParams)).toEqual({
    client_id: '123',
    redirect_uri: REDIRECT,
    config_id: 'cfg-9',
    response_type: 'code',
    override_default_response_type: 'true',
    state: 'signed.state',
  });
});

describe('code exchange', () => {
  test('redirect flow: exchanged with client id/secret and the same redirect_uri; a code works once', async () => {
    const code = fake.issueCode({ redirectUri: REDIRECT, token: { expiresAt: fake.clock.now() + 60 * DAY_MS } });
    const issued = await exchangeCodeForToken(client, { code, redirectUri: REDIRECT });

    expect(fake.state.tokens.has(issued.accessToken)).toBe(true);
    expect(issued.expiresInSeconds).toBeGreaterThan(59 * 24 * 3600);
    expect(issued.expiresAt?.getTime()).toBeGreaterThan(Date.now() + 59 * DAY_MS);
    const [request] = fake.graphRequests({ path: '/oauth/access_token' });
    expect(request?.query.get('client_id')).toBe(fake.appId);
    expect(request?.query.get('client_secret')).toBe('oauth-secret');
    expect(request?.query.get('redirect_uri')).toBe(REDIRECT);

    const again = await failure(exchangeCodeForToken(client, { code, redirectUri: REDIRECT }));
    expect(again).toMatchObject({ kind: 'permanent', providerCode: 100 });
    expect(again.message).toContain('has been used');
    expect(again.message).not.toContain(code);
    expect(again.message).not.toContain('oauth-secret');
  });

  test("a different redirect_uri is refused with Meta's code 100 message", async () => {
    const code = fake.issueCode({ redirectUri: REDIRECT });
    const error = await failure(exchangeCodeForToken(client, { code, redirectUri: 'https://evil.example/cb' }));
    expect(error).toMatchObject({ kind: 'permanent', providerCode: 100 });
    expect(error.message).toContain('redirect_uri is identical');
  });

  test('Embedded Signup: the code is exchanged without redirect_uri and expires after 30 seconds', async () => {
    const code = fake.issueCode({ token: { type: 'SYSTEM_USER' } });
    const issued = await exchangeCodeForToken(client, { code });
    expect(fake.graphRequests({ path: '/oauth/access_token' })[0]?.query.has('redirect_uri')).toBe(false);
    // A never-expiring business token comes without expires_in.
    expect(issued.expiresInSeconds).toBeUndefined();
    expect(issued.expiresAt).toBeNull();

    const late = fake.issueCode();
    fake.clock.advance(31_000);
    const error = await failure(exchangeCodeForToken(client, { code: late }));
    expect(error.message).toContain('expired');
  });
});

describe('debug_token', () => {
  test('a never-expiring business token: expires_at 0 becomes null, granular scopes carry the WABA ids; called with the app token', async () => {
    const token = fake.addBusinessToken(['1020111', '1020222']);
    const info = await debugToken(client, token.token);

    expect(info).toMatchObject({ isValid: true, appId: fake.appId, type: 'SYSTEM_USER', expiresAt: null, dataAccessExpiresAt: null });
    expect(info.granularScopes).toContainEqual({ scope: 'whatsapp_business_management', targetIds: ['1020111', '1020222'] });
    expect(info.granularScopes).toContainEqual({ scope: 'business_management', targetIds: [] });
    expect(info.scopes).toContain('whatsapp_business_messaging');

    const [request] = fake.graphRequests({ path: '/debug_token' });
    expect(request?.query.get('input_token')).toBe(token.token);
    expect(request?.accessToken).toBe(fake.appAccessToken);
  });

  test('an expiring token reports its expiry and data-access expiry as dates', async () => {
    const expiresAt = Math.floor((Date.now() + 50 * DAY_MS) / 1000) * 1000;
    const dataAccessExpiresAt = Math.floor((Date.now() + 90 * DAY_MS) / 1000) * 1000;
    const token = fake.addToken({ expiresAt, dataAccessExpiresAt });
    const info = await debugToken(client, token.token);
    expect(info.isValid).toBe(true);
    expect(info.expiresAt?.getTime()).toBe(expiresAt);
    expect(info.dataAccessExpiresAt?.getTime()).toBe(dataAccessExpiresAt);
  });

  test("revoked and unknown tokens are reported as invalid (not thrown), with Meta's reason", async () => {
    const token = fake.addToken();
    fake.invalidateToken(token.token, 'revoked');
    const revoked = await debugToken(client, token.token);
    expect(revoked.isValid).toBe(false);
    expect(revoked.error).toMatchObject({ code: 190, subcode: 458 });

    const unknown = await debugToken(client, 'EAAGnot-a-token');
    expect(unknown).toMatchObject({ isValid: false, scopes: [], error: { code: 190 } });
  });

  test('without an app secret the call is refused before reaching Meta', async () => {
    const noSecret = createGraphClient({ baseUrl: fake.url, version: 'v26.0', appId: fake.appId, timeoutMs: 2_000 });
    await expect(debugToken(noSecret, 'x')).rejects.toMatchObject({ kind: 'permanent' });
    expect(fake.graphRequests()).toHaveLength(0);
  });
});

describe('fb_exchange_token', () => {
  test('a valid token is exchanged for a different 60-day token; the old one keeps working', async () => {
    const old = fake.addToken({ type: 'SYSTEM_USER', expiresAt: fake.clock.now() + 5 * DAY_MS, scopes: ['whatsapp_business_messaging'] });
    const fresh = await exchangeForLongLivedToken(client, old.token, { setTokenExpiresIn60Days: true });

    expect(fresh.accessToken).not.toBe(old.token);
    expect(fresh.expiresInSeconds).toBeGreaterThan(59 * 24 * 3600);
    const request = fake.graphRequests({ path: '/oauth/access_token' })[0];
    expect(request?.query.get('grant_type')).toBe('fb_exchange_token');
    expect(request?.query.get('fb_exchange_token')).toBe(old.token);
    expect(request?.query.get('set_token_expires_in_60_days')).toBe('true');
    expect((await debugToken(client, fresh.accessToken)).scopes).toEqual(['whatsapp_business_messaging']);
    expect((await debugToken(client, old.token)).isValid).toBe(true);
  });

  test('an expired token cannot be exchanged: auth error, the tenant must reconnect', async () => {
    const old = fake.addToken({ expiresAt: fake.clock.now() + 1_000 });
    fake.clock.advance(5_000);
    const error = await failure(exchangeForLongLivedToken(client, old.token));
    expect(error).toMatchObject({ kind: 'auth', providerCode: 190, providerSubcode: 463 });
    expect(error.message).not.toContain(old.token);
  });
});
