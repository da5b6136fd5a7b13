// The outbound-network rule for hosts a tenant chose: private, loopback, link-local and
// reserved addresses are refused when the URL is saved (IP literals) and again at connect time
// (whatever the name resolves to), answers are read up to 64 KiB, and what a provider wrote never
// becomes the stored notification error.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { forbiddenUrlReason } from '../../src/integrations/outbound-network.js';
import { OutboundError } from '../../src/integrations/outbound-error.js';
import { sendViaTenantProvider } from '../../src/integrations/whatsapp/index.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startFakeHttpServer, type FakeHttpServer, type FakeReply } from '../support/fake-http-server.js';
import { testConfig } from '../workflows/claim-support.js';
import { seedVerifiedClaim, notificationActivitiesFor } from '../support/factories.js';

const message = { number: '+51987654321', message: 'Congratulations, Ana!' };
const timeoutMs = 2_000;

let provider: FakeHttpServer;
let nextReply: FakeReply | undefined;

beforeAll(async () => {
  provider = await startFakeHttpServer(() => nextReply ?? { body: { id: 'msg-1' } });
});
afterAll(async () => {
  await provider.close();
});
beforeEach(() => {
  nextReply = undefined;
});

async function failureOf(promise: Promise<unknown>): Promise<OutboundError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(OutboundError);
  return error as OutboundError;
}

describe('forbiddenUrlReason: what a tenant may save as a provider URL', () => {
  const strict = { allowPrivateNetworks: false };
  test.each([
    'http://api.provider.example/send',
    'https://127.0.0.1/send',
    'https://127.8.9.10:8443/send',
    'https://10.0.0.5/send',
    'https://172.16.3.4/send',
    'https://192.168.1.1/send',
    'https://169.254.169.254/latest/meta-data',
    'https://100.64.0.1/send',
    'https://0.0.0.0/send',
    'https://224.0.0.1/send',
    'https://255.255.255.255/send',
    'https://192.0.2.10/send',
    'https://[::1]/send',
    'https://[fe80::1]/send',
    'https://[fc00::1]/send',
    'https://[ff02::1]/send',
    'https://[::ffff:10.0.0.1]/send',
    'https://[::ffff:127.0.0.1]/send',
    'https://[::]/send',
    'https://localhost/send',
    'https://api.localhost/send',
    'https://user:pw@api.provider.example/send',
    'ftp://api.provider.example/send',
  ])('refuses %s', (url) => {
    expect(forbiddenUrlReason(url, strict)).toEqual(expect.any(String));
  });

  test.each(['https://api.provider.example/send', 'https://8.8.8.8/send', 'https://[2606:4700:4700::1111]/send', 'https://[::ffff:8.8.8.8]/x'])(
    'accepts %s',
    (url) => {
      expect(forbiddenUrlReason(url, strict)).toBeUndefined();
    },
  );

  test('OUTBOUND_ALLOW_PRIVATE_NETWORKS lets http and private addresses through (dev and tests only)', () => {
    expect(forbiddenUrlReason('http://127.0.0.1:3999/send', { allowPrivateNetworks: true })).toBeUndefined();
    expect(forbiddenUrlReason('ftp://127.0.0.1/send', { allowPrivateNetworks: true })).toEqual(expect.any(String));
  });
});

describe('connect-time check of the resolved address', () => {
  test('an IP literal in loopback space is refused before anything is sent (permanent, nothing received)', async () => {
    const before = provider.requests.length;
    const error = await failureOf(
      sendViaTenantProvider({ apiUrl: `${provider.url}/send`, apiKey: 'k' }, message, { timeoutMs, allowPrivateNetworks: false }),
    );
    expect(error.kind).toBe('permanent');
    expect(error.message).toMatch(/private, link-local or reserved address/);
    expect(error.message).not.toContain('127.0.0.1');
    expect(provider.requests.length).toBe(before);
  });

  test('a DNS name that resolves to loopback (as a rebinding attacker would arrange) is refused too', async () => {
    const before = provider.requests.length;
    const port = new URL(provider.url).port;
    const error = await failureOf(
      sendViaTenantProvider({ apiUrl: `http://localhost:${port}/send`, apiKey: 'k' }, message, { timeoutMs, allowPrivateNetworks: false }),
    );
    expect(error.kind).toBe('permanent');
    expect(provider.requests.length).toBe(before);
  });

  test('with private networks allowed the same request goes through', async () => {
    const port = new URL(provider.url).port;
    const sent = await sendViaTenantProvider({ apiUrl: `http://localhost:${port}/send`, apiKey: 'k' }, message, {
      timeoutMs,
      allowPrivateNetworks: true,
    });
    expect(sent).toEqual({ providerMessageId: 'msg-1' });
  });
});

describe('answers from tenant hosts', () => {
  let huge: Server;
  let hugeUrl: string;
  let bytesWritten = 0;
  beforeAll(async () => {
    // 20 MB in 64 KiB chunks, no Content-Length: only reading less stops it.
    huge = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const status = req.url === '/ok' ? 200 : 500;
        res.writeHead(status, { 'content-type': 'text/plain' });
        const chunk = Buffer.alloc(64 * 1024, 'x');
        let left = 320;
        const pump = () => {
          while (left > 0) {
            left--;
            bytesWritten += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('close', () => (left = 0));
        pump();
      });
    });
    await new Promise<void>((resolve) => huge.listen(0, '127.0.0.1', resolve));
    hugeUrl = `http://127.0.0.1:${(huge.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    huge.closeAllConnections();
    await new Promise((resolve) => huge.close(resolve));
  });

  test('a 20 MB error answer is cut off early and classified by its status alone', async () => {
    bytesWritten = 0;
    const error = await failureOf(
      sendViaTenantProvider({ apiUrl: `${hugeUrl}/fail`, apiKey: 'k' }, message, { timeoutMs, allowPrivateNetworks: true }),
    );
    expect(error.status).toBe(500);
    expect(error.message).toBe('WhatsApp tenant provider answered HTTP 500 (the message may have been sent; do not resend)');
    expect(bytesWritten).toBeLessThan(20 * 1024 * 1024);
  });

  test('a 2xx answer that is too large still means the provider took the message', async () => {
    await expect(
      sendViaTenantProvider({ apiUrl: `${hugeUrl}/ok`, apiKey: 'k' }, message, { timeoutMs, allowPrivateNetworks: true }),
    ).resolves.toEqual({ providerMessageId: undefined });
  });
});

describe('through the notification activity (the worker)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });

  const verifiedClaim = (providerUrl: string) =>
    seedVerifiedClaim(database.db, createSecretBox([testConfig().tokenEncryptionKey]), { providerUrl, providerKey: 'tenant-secret' });
  const activities = (env: Record<string, string>) => notificationActivitiesFor(testConfig({ OUTBOUND_HTTP_TIMEOUT: '1s', ...env }), database.db);
  const row = (id: string) => database.db.claim.findUniqueOrThrow({ where: { id } });

  test('an internal service answering with secrets: the stored error is "HTTP 404", not its body', async () => {
    nextReply = { status: 404, body: 'db_password=hunter2 internal admin console' };
    const claim = await verifiedClaim(`${provider.url}/internal`);
    await activities({})
      .sendNotification({ claimId: claim.claimId })
      .catch(() => undefined);
    const stored = await row(claim.claimId);
    expect(stored.notificationStatus).toBe('FAILED');
    expect(stored.notificationError).toMatch(/HTTP 404/);
    expect(stored.notificationError).not.toMatch(/db_password|hunter2/);
  });

  test('a stored URL on a private address (saved before the rule, or rebound) is never contacted by the worker', async () => {
    const claim = await verifiedClaim(`${provider.url}/rebound`);
    const before = provider.requests.length;
    await activities({ OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'false' })
      .sendNotification({ claimId: claim.claimId })
      .catch(() => undefined);
    expect(provider.requests.length).toBe(before);
    const stored = await row(claim.claimId);
    expect(stored.notificationStatus).toBe('FAILED');
    expect(stored.notificationError).toMatch(/not allowed/);
  });
});
