// The tenant's WhatsApp account API: list (never a token), disconnect (token wiped, schedule
// deleted), test message (sent with that account's own token), approved templates, and another
// tenant's account answered 404 with the row untouched. Then: a notification held while the
// tenant's only account needs reauthorization goes out once it is reconnected.
import { ScheduleNotFoundError } from '@temporalio/client';
import { refreshScheduleId } from '../../src/temporal/token-refresh-schedules.js';
import { startFakeMeta, type FakeMeta, type FakeToken } from '../fakes/fake-meta.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { eventually } from '../support/eventually.js';
import { fakeMetaEnv } from '../support/factories.js';

let fake: FakeMeta;
let system: TestSystem;
let counter = 0;

beforeAll(async () => {
  fake = await startFakeMeta({ appSecret: 'test-app-secret' });
  system = await startTestSystem({ env: { ...fakeMetaEnv(fake) } });
});

afterAll(async () => {
  await system?.stop();
  await fake?.close();
});

async function newTenant() {
  counter++;
  const tenant = await system.deps.db.tenant.create({ data: { name: `Shop ${counter}`, slug: `accounts-${counter}` } });
  return { ...tenant, token: tokens.tenantAdmin(tenant.id) };
}

function businessToken(wabaIds: string[], init: Partial<FakeToken> = {}): Partial<FakeToken> {
  return {
    type: 'SYSTEM_USER',
    scopes: ['whatsapp_business_management', 'whatsapp_business_messaging'],
    granularScopes: [
      { scope: 'whatsapp_business_management', targetIds: wabaIds },
      { scope: 'whatsapp_business_messaging', targetIds: wabaIds },
    ],
    ...init,
  };
}

/** Connects one number through Embedded Signup; returns the account view and the token Meta issued. */
async function connectAccount(tenant: { token: string }, init: Partial<FakeToken> = {}) {
  counter++;
  const waba = fake.addWaba({ name: `WABA ${counter}` });
  const phone = fake.addPhoneNumber(waba.id, { displayPhoneNumber: `+1 555-020-${String(counter).padStart(4, '0')}`, verifiedName: 'Shop' });
  const code = fake.issueCode({ token: businessToken([waba.id], init) });
  const response = await system.request('POST', '/api/v1/meta/embedded-signup', {
    token: tenant.token,
    body: { code, wabaId: waba.id, phoneNumberId: phone.id },
  });
  expect(response.status).toBe(201);
  const account = response.body.accounts[0];
  const row = await system.deps.db.whatsappAccount.findUniqueOrThrow({ where: { id: account.id } });
  return { account, waba, phone, issuedToken: system.deps.secrets.open(row.accessToken as string) };
}

async function scheduleExists(accountId: string): Promise<boolean> {
  try {
    await system.deps.temporal.schedule.getHandle(refreshScheduleId(accountId)).describe();
    return true;
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return false;
    throw error;
  }
}

describe('GET /api/v1/whatsapp/accounts', () => {
  test("lists the tenant's own accounts with status, expiry and refresh fields, never a token", async () => {
    const tenant = await newTenant();
    const other = await newTenant();
    const expiresAt = fake.clock.now() + 50 * 86_400_000;
    const { account, issuedToken, waba, phone } = await connectAccount(tenant, { expiresAt });
    await connectAccount(other);

    const response = await system.request('GET', '/api/v1/whatsapp/accounts', { token: tenant.token });
    expect(response.status).toBe(200);
    expect(response.body.accounts).toHaveLength(1);
    expect(response.body.accounts[0]).toEqual({
      id: account.id,
      wabaId: waba.id,
      phoneNumberId: phone.id,
      displayPhoneNumber: phone.displayPhoneNumber,
      verifiedName: 'Shop',
      status: 'ACTIVE',
      statusReason: null,
      qualityRating: 'GREEN',
      sendingPaused: null,
      messagingLimit: null,
      messagingUsed24h: 0,
      tokenExpiresAt: new Date(Math.floor(expiresAt / 1000) * 1000).toISOString(),
      dataAccessExpiresAt: null,
      scopes: ['whatsapp_business_management', 'whatsapp_business_messaging'],
      lastRefreshedAt: null,
      lastRefreshError: null,
      connectedAt: expect.any(String),
      scheduleId: `whatsapp-token-refresh-${account.id}`,
    });
    expect(response.text).not.toContain(issuedToken);
    expect(response.text).not.toContain('accessToken');
  });

  test('needs a tenant admin', async () => {
    const tenant = await newTenant();
    expect((await system.request('GET', '/api/v1/whatsapp/accounts', { token: tokens.endUser(tenant.id, 'u1') })).status).toBe(403);
    expect((await system.request('GET', '/api/v1/whatsapp/accounts')).status).toBe(401);
  });
});

describe('DELETE /api/v1/whatsapp/accounts/:id', () => {
  test('disconnects: DISCONNECTED, token wiped, schedule deleted; repeating answers the same', async () => {
    const tenant = await newTenant();
    const { account } = await connectAccount(tenant);
    expect(await scheduleExists(account.id)).toBe(true);

    const response = await system.request('DELETE', `/api/v1/whatsapp/accounts/${account.id}`, { token: tenant.token });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: account.id, status: 'DISCONNECTED', tokenExpiresAt: null, scheduleId: null });
    const [raw] = await system.database.query<{ accessToken: string | null; status: string }>(
      'SELECT "accessToken", "status" FROM "WhatsappAccount" WHERE "id" = $1',
      [account.id],
    );
    expect(raw).toEqual({ accessToken: null, status: 'DISCONNECTED' });
    expect(await scheduleExists(account.id)).toBe(false);

    const again = await system.request('DELETE', `/api/v1/whatsapp/accounts/${account.id}`, { token: tenant.token });
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('DISCONNECTED');
  });
});

describe('POST /api/v1/whatsapp/accounts/:id/test-message', () => {
  test("sends a text through the Cloud API with that account's own token", async () => {
    const tenant = await newTenant();
    const first = await connectAccount(tenant);
    const second = await connectAccount(tenant);
    fake.recordInboundMessage(second.phone.id, '+5511988887777');

    const response = await system.request('POST', `/api/v1/whatsapp/accounts/${second.account.id}/test-message`, {
      token: tenant.token,
      body: { to: '+5511988887777' },
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ messageId: expect.stringMatching(/^wamid\./), to: '+5511988887777', from: second.phone.displayPhoneNumber });
    const sent = fake.sentMessages.find((message) => message.id === response.body.messageId)!;
    expect(sent).toMatchObject({ phoneNumberId: second.phone.id, to: '+5511988887777', type: 'text', token: second.issuedToken });
    expect(sent.token).not.toBe(first.issuedToken);
    expect(sent.text).toContain(second.phone.displayPhoneNumber);
  });

  test("Meta's refusal (outside the 24-hour window) → 502 with Meta's reason; bad number → 422; not ACTIVE → 409", async () => {
    const tenant = await newTenant();
    const { account } = await connectAccount(tenant);
    const outside = await system.request('POST', `/api/v1/whatsapp/accounts/${account.id}/test-message`, {
      token: tenant.token,
      body: { to: '+5511900001111' },
    });
    expect(outside.status).toBe(502);
    expect(outside.body.error.message).toMatch(/131047|24 hours/);

    const invalid = await system.request('POST', `/api/v1/whatsapp/accounts/${account.id}/test-message`, {
      token: tenant.token,
      body: { to: '011 555' },
    });
    expect(invalid.status).toBe(422);

    await system.deps.db.whatsappAccount.update({ where: { id: account.id }, data: { status: 'NEEDS_REAUTH', statusReason: 'token revoked' } });
    const sentBefore = fake.sentMessages.length;
    const inactive = await system.request('POST', `/api/v1/whatsapp/accounts/${account.id}/test-message`, {
      token: tenant.token,
      body: { to: '+5511900001111' },
    });
    expect(inactive.status).toBe(409);
    expect(inactive.body.error.code).toBe('INVALID_STATE');
    expect(fake.sentMessages).toHaveLength(sentBefore);
  });
});

describe('GET /api/v1/whatsapp/accounts/:id/templates', () => {
  test("the approved templates of the account's WABA, read from the Graph API", async () => {
    const tenant = await newTenant();
    const { account, waba, issuedToken } = await connectAccount(tenant);
    fake.addTemplate(waba.id, { name: 'claim_verified', bodyText: 'Hi {{1}}, you earned {{2}} spins' });
    fake.addTemplate(waba.id, { name: 'claim_verified', language: 'pt_BR', bodyText: 'Oi {{1}}' });
    fake.addTemplate(waba.id, { name: 'draft_one', status: 'PENDING' });
    fake.addTemplate(waba.id, { name: 'rejected_one', status: 'REJECTED' });

    const response = await system.request('GET', `/api/v1/whatsapp/accounts/${account.id}/templates`, { token: tenant.token });
    expect(response.status).toBe(200);
    expect(response.body.templates.map((template: { name: string; language: string }) => `${template.name}/${template.language}`).sort()).toEqual([
      'claim_verified/en_US',
      'claim_verified/pt_BR',
    ]);
    expect(response.body.templates[0]).toMatchObject({
      status: 'APPROVED',
      category: 'UTILITY',
      components: [expect.objectContaining({ type: 'BODY' })],
    });
    const calls = fake.graphRequests({ method: 'GET', path: `/${waba.id}/message_templates` });
    expect(calls.at(-1)?.accessToken).toBe(issuedToken);
  });
});

describe("another tenant's account", () => {
  test('is 404 on every route, and its row is left unchanged', async () => {
    const owner = await newTenant();
    const intruder = await newTenant();
    const { account, phone } = await connectAccount(owner);
    fake.recordInboundMessage(phone.id, '+5511977776666');
    const before = await system.deps.db.whatsappAccount.findUniqueOrThrow({ where: { id: account.id } });
    const sentBefore = fake.sentMessages.length;

    const attempts = [
      system.request('DELETE', `/api/v1/whatsapp/accounts/${account.id}`, { token: intruder.token }),
      system.request('POST', `/api/v1/whatsapp/accounts/${account.id}/test-message`, { token: intruder.token, body: { to: '+5511977776666' } }),
      system.request('GET', `/api/v1/whatsapp/accounts/${account.id}/templates`, { token: intruder.token }),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('NOT_FOUND');
    }
    expect((await system.request('GET', '/api/v1/whatsapp/accounts', { token: intruder.token })).body.accounts).toEqual([]);
    expect(await system.deps.db.whatsappAccount.findUniqueOrThrow({ where: { id: account.id } })).toEqual(before);
    expect(fake.sentMessages).toHaveLength(sentBefore);
    expect(await scheduleExists(account.id)).toBe(true);
  });
});

describe('held notifications', () => {
  test("a claim's notification is held while the tenant's account needs reauthorization, and goes out after the reconnect", async () => {
    const tenant = await newTenant();
    const { account, waba, phone } = await connectAccount(tenant);
    const db = system.deps.db;
    await db.whatsappAccount.update({ where: { id: account.id }, data: { status: 'NEEDS_REAUTH', statusReason: 'token revoked (190/458)' } });

    const campaign = await db.campaign.create({
      data: { tenantId: tenant.id, name: 'Launch', notificationStartHour: 0, notificationEndHour: 0, whatsappAccountId: account.id },
    });
    const task = await db.socialMediaTask.create({
      data: {
        tenantId: tenant.id,
        campaignId: campaign.id,
        title: 'Share our post',
        platform: 'FACEBOOK',
        actionType: 'SHARE',
        spinsReward: 3,
        verificationStrategy: 'HONOR_SYSTEM',
      },
    });
    const user = await db.endUser.create({
      data: {
        tenantId: tenant.id,
        name: 'Ana',
        phone: '+5511966665555',
        lastInboundAt: new Date(),
        whatsappOptInAt: new Date(),
        whatsappOptInSource: 'test-fixture',
      },
    });
    fake.recordInboundMessage(phone.id, user.phone);

    const claim = await system.request('POST', `/api/v1/tasks/${task.id}/claims`, { token: tokens.endUser(tenant.id, user.id), body: {} });
    expect(claim.status).toBe(202);
    const claimId: string = claim.body.completionId;

    const held = await eventually(async () => {
      const row = await db.claim.findUniqueOrThrow({ where: { id: claimId } });
      return row.status === 'VERIFIED' && /reconnect/i.test(row.notificationError ?? '') && row;
    }, 'the notification to be held');
    expect(held.notificationStatus).not.toBe('SENT');
    expect(fake.sentMessages.filter((message) => message.phoneNumberId === phone.id)).toEqual([]);

    // The tenant connects the number again (Embedded Signup with a fresh code).
    const code = fake.issueCode({ token: businessToken([waba.id]) });
    const reconnect = await system.request('POST', '/api/v1/meta/embedded-signup', {
      token: tenant.token,
      body: { code, wabaId: waba.id, phoneNumberId: phone.id },
    });
    expect(reconnect.status).toBe(201);
    const newToken = system.deps.secrets.open((await db.whatsappAccount.findUniqueOrThrow({ where: { id: account.id } })).accessToken as string);

    const sent = await eventually(
      async () => {
        const row = await db.claim.findUniqueOrThrow({ where: { id: claimId } });
        return row.notificationStatus === 'SENT' && row;
      },
      'the held notification to be sent after the reconnect',
      20_000,
    );
    expect(sent.notificationChannel).toBe('WHATSAPP_CLOUD');
    const messages = fake.sentMessages.filter((message) => message.phoneNumberId === phone.id);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ to: user.phone, token: newToken });
  });
});
