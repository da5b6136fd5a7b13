// PUT /api/v1/tenant/settings treats the provider URL as a hostile destination:
// with production settings (OUTBOUND_ALLOW_PRIVATE_NETWORKS unset) private and non-https URLs are
// refused, and a stored key never follows the URL to another origin.
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';

let system: TestSystem;
let tenantId: string;
let admin: string;

beforeAll(async () => {
  system = await startTestSystem({ worker: false, env: { OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'false' } });
  tenantId = await system.createTenant('destinations');
  admin = tokens.tenantAdmin(tenantId);
});
afterAll(async () => {
  await system?.stop();
});

const put = (waConfig: unknown) => system.request('PUT', '/api/v1/tenant/settings', { token: admin, body: { waConfig } });
const storedWaConfig = async () => (await system.deps.db.tenant.findUniqueOrThrow({ where: { id: tenantId } })).waConfig;

describe('the provider URL must be a public https destination', () => {
  test.each([
    'http://provider.example/send',
    'https://127.0.0.1:8080/send',
    'https://10.1.2.3/send',
    'https://169.254.169.254/latest/meta-data/',
    'https://100.64.1.1/send',
    'https://[::1]/send',
    'https://[::ffff:192.168.0.1]/send',
    'https://[fd00::1]/send',
    'https://224.1.1.1/send',
    'https://localhost/send',
  ])('%s → 422 naming waConfig.apiUrl, nothing stored', async (apiUrl) => {
    const before = await storedWaConfig();
    const response = await put({ apiUrl, apiKey: 'key-1' });
    expect(response.status).toBe(422);
    expect(response.body.error.details).toEqual([expect.objectContaining({ path: 'waConfig.apiUrl' })]);
    expect(await storedWaConfig()).toEqual(before);
  });

  test('a public https URL is accepted', async () => {
    const response = await put({ apiUrl: 'https://api.provider.example/send', apiKey: 'key-1-secret' });
    expect(response.status).toBe(200);
    expect(response.body.waConfig).toMatchObject({ apiUrl: 'https://api.provider.example/send', apiKey: { configured: true } });
  });
});

describe('a stored key does not follow the URL to another origin', () => {
  beforeEach(async () => {
    expect((await put({ apiUrl: 'https://api.provider.example/send', apiKey: 'original-key-7788' })).status).toBe(200);
  });

  test('another origin without a new apiKey → 422 naming waConfig.apiKey; the stored config is unchanged', async () => {
    const before = await storedWaConfig();
    const response = await put({ apiUrl: 'https://evil.example/collect' });
    expect(response.status).toBe(422);
    expect(response.body.error.details).toEqual([expect.objectContaining({ path: 'waConfig.apiKey' })]);
    expect(await storedWaConfig()).toBe(before);
    const shown = await system.request('GET', '/api/v1/tenant/settings', { token: admin });
    expect(shown.body.waConfig.apiUrl).toBe('https://api.provider.example/send');
  });

  test('a different port or scheme is another origin too', async () => {
    expect((await put({ apiUrl: 'https://api.provider.example:8443/send' })).status).toBe(422);
  });

  test('another origin with a new apiKey is accepted', async () => {
    const response = await put({ apiUrl: 'https://other-provider.example/send', apiKey: 'new-key-1234' });
    expect(response.status).toBe(200);
    expect(response.body.waConfig.apiKey).toEqual({ configured: true, masked: expect.stringMatching(/1234$/) });
  });

  test('the same origin (another path) keeps the stored key', async () => {
    const response = await put({ apiUrl: 'https://api.provider.example/v2/send', sender: 'Acme' });
    expect(response.status).toBe(200);
    expect(response.body.waConfig.apiKey).toEqual({ configured: true, masked: expect.stringMatching(/7788$/) });
  });
});
