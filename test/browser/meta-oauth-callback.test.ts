// The redirect flow's callback page in a real browser: headless Chromium opens
// GET /meta/callback as a popup of a small dashboard page served by this test, the page hands the
// code and state to the dashboard with postMessage (only to META_DASHBOARD_ORIGIN), and the
// connection completes only with the JWT of the admin who started it. Without an opener the page
// redirects to META_DASHBOARD_URL with the code and state.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import puppeteer, { type Browser } from 'puppeteer-core';
import { startFakeMeta, type FakeMeta } from '../fakes/fake-meta.js';
import { chromiumPath } from '../support/chromium.js';
import { eventually } from '../support/eventually.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { TEST_JWT_SECRET, tokens } from '../support/tokens.js';
import { fakeMetaEnv } from '../support/factories.js';

const executablePath = chromiumPath();
if (!executablePath) {
  console.warn(
    '\n\n!!!!!!!!!! SKIPPING the Meta OAuth browser test: Chromium is not installed and scripts/install-chromium.sh could not ' +
      "install it (needs apt-get and root). Install Debian's chromium package or set CHROMIUM_PATH. !!!!!!!!!!\n\n",
  );
}
const describeInBrowser = executablePath ? describe : describe.skip;

/** The little of a browser window these tests touch inside page.evaluate. */
interface BrowserWindow {
  open(url: string, target: string, features: string): unknown;
  document: { body: { innerText: string } };
}

interface Dashboard {
  readonly origin: string;
  /** what the dashboard page received by postMessage */
  readonly messages: Array<Record<string, string>>;
  /** the query of each redirect to META_DASHBOARD_URL */
  readonly redirects: Array<Record<string, string>>;
  close(): Promise<void>;
}

// The tenant dashboard: a page that opens the Meta popup and accepts messages from the API's origin only.
async function startDashboard(apiOrigin: () => string): Promise<Dashboard> {
  const messages: Array<Record<string, string>> = [];
  const redirects: Array<Record<string, string>> = [];
  const page = () => `<!doctype html><html><body><h1>Tenant dashboard</h1><script>
    window.addEventListener('message', function (event) {
      if (event.origin !== ${JSON.stringify(apiOrigin())}) return;
      fetch('/received', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event.data) });
    });
  </script></body></html>`;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'POST' && url.pathname === '/received') {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        messages.push(JSON.parse(body));
        res.writeHead(204).end();
      });
      return;
    }
    if (url.pathname === '/whatsapp/connected') redirects.push(Object.fromEntries(url.searchParams));
    res.writeHead(200, { 'content-type': 'text/html' }).end(page());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    messages,
    redirects,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describeInBrowser('Meta OAuth callback page in headless Chromium', () => {
  let fake: FakeMeta;
  let dashboard: Dashboard;
  let system: TestSystem;
  let browser: Browser;

  beforeAll(async () => {
    fake = await startFakeMeta({ appSecret: 'test-app-secret' });
    dashboard = await startDashboard(() => system.url);
    system = await startTestSystem({
      worker: false,
      env: {
        ...fakeMetaEnv(fake),
        META_DASHBOARD_ORIGIN: dashboard.origin,
        META_DASHBOARD_URL: `${dashboard.origin}/whatsapp/connected`,
      },
    });
    browser = await puppeteer.launch({
      executablePath,
      headless: true,
      // Root in CI containers; no GPU; popups allowed as a user's click would allow them.
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-popup-blocking'],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    await dashboard?.close();
    await fake?.close();
  });

  async function tenantWithWaba() {
    const tenantId = await system.createTenant(`browser-${Math.random().toString(36).slice(2, 8)}`);
    const admin = tokens.tenantAdmin(tenantId);
    const waba = fake.addWaba({ name: 'Acme Business' });
    fake.addPhoneNumber(waba.id, { displayPhoneNumber: '+1 555-0100', verifiedName: 'Acme', registered: true });
    const connect = await system.request('GET', '/api/v1/meta/connect', { token: admin });
    expect(connect.status).toBe(200);
    const code = fake.issueCode({
      redirectUri: system.config.meta.oauthRedirectUri as string,
      token: {
        type: 'SYSTEM_USER',
        scopes: ['whatsapp_business_management', 'whatsapp_business_messaging'],
        granularScopes: [
          { scope: 'whatsapp_business_management', targetIds: [waba.id] },
          { scope: 'whatsapp_business_messaging', targetIds: [waba.id] },
        ],
        expiresAt: 0,
      },
    });
    // Where Meta sends the browser after the admin approves.
    const callbackUrl = `${system.url}/meta/callback?${new URLSearchParams({ code, state: connect.body.state as string })}`;
    return { tenantId, admin, code, state: connect.body.state as string, callbackUrl };
  }

  const complete = (body: { code: string; state: string }, token: string) => system.request('POST', '/api/v1/meta/oauth/complete', { token, body });
  const accounts = (tenantId: string) => system.deps.db.whatsappAccount.count({ where: { tenantId } });

  test('as a popup: the code reaches the dashboard by postMessage; only the admin who started it can complete', async () => {
    const flow = await tenantWithWaba();
    const page = await browser.newPage();
    try {
      await page.goto(dashboard.origin, { waitUntil: 'load' });
      const before = dashboard.messages.length;
      // Runs in the page (the project's types have no DOM lib).
      await page.evaluate(
        (url) => void (globalThis as unknown as BrowserWindow).open(url, 'meta-login', 'popup,width=500,height=600'),
        flow.callbackUrl,
      );
      const message = await eventually(
        async () => dashboard.messages.slice(before).find((m) => m.state === flow.state),
        'the dashboard to receive the code',
      );
      expect(message).toEqual({ type: 'meta-oauth-callback', code: flow.code, state: flow.state });
    } finally {
      await page.close();
    }

    // The page itself stored nothing.
    expect(await accounts(flow.tenantId)).toBe(0);
    // Someone else's dashboard session (another tenant, or another admin of this one) cannot use it.
    const other = await system.createTenant(`other-${Math.random().toString(36).slice(2, 8)}`);
    expect((await complete({ code: flow.code, state: flow.state }, tokens.tenantAdmin(other))).status).toBe(403);
    expect((await complete({ code: flow.code, state: flow.state }, tokens.tenantAdmin(flow.tenantId, TEST_JWT_SECRET, 'someone-else'))).status).toBe(
      403,
    );
    expect(await accounts(flow.tenantId)).toBe(0);
    expect(await accounts(other)).toBe(0);

    const done = await complete({ code: flow.code, state: flow.state }, flow.admin);
    expect(done.status).toBe(201);
    expect(done.body.accounts).toHaveLength(1);
    expect(await accounts(flow.tenantId)).toBe(1);
  });

  test('without an opener: the page redirects to META_DASHBOARD_URL with the code and state', async () => {
    const flow = await tenantWithWaba();
    const page = await browser.newPage();
    try {
      await page.goto(flow.callbackUrl, { waitUntil: 'load' });
      await eventually(async () => page.url().startsWith(`${dashboard.origin}/whatsapp/connected`), 'the redirect to the dashboard');
      expect(dashboard.redirects.find((query) => query.state === flow.state)).toEqual({ code: flow.code, state: flow.state });
    } finally {
      await page.close();
    }
    expect(await accounts(flow.tenantId)).toBe(0);
    expect((await complete({ code: flow.code, state: flow.state }, flow.admin)).status).toBe(201);
  });

  test('a forged state gets a 400 page with no script at all, saying what to do if opened by mistake', async () => {
    const page = await browser.newPage();
    try {
      const response = await page.goto(`${system.url}/meta/callback?code=stolen&state=forged.state`, { waitUntil: 'load' });
      expect(response?.status()).toBe(400);
      const csp = response?.headers()['content-security-policy'] ?? '';
      expect(csp).toMatch(/default-src 'none'/);
      expect(csp).toMatch(/script-src 'none'/);
      expect(page.url()).toContain('/meta/callback');
      // biome-ignore lint/performance/useDomNodeTextContent: innerText is what the user sees (rendered text, no hidden nodes)
      expect(await page.evaluate(() => (globalThis as unknown as BrowserWindow).document.body.innerText)).toMatch(/Opened this by mistake\?/);
    } finally {
      await page.close();
    }
  });
});
