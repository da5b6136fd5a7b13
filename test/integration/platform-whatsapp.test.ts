// The platform's WhatsApp number is no open relay, through the real API, worker and a fake platform
// provider: a tenant without a channel of its own gets the platform's only once a platform admin
// allowed it (PATCH /api/v1/tenants/:id), within a daily quota per tenant, paced under a fairness
// key of its own; and a task title, which goes into the message, carries no link but ours.
import { randomUUID } from 'node:crypto';
import { startFakeWhatsappProvider, type FakeWhatsappProvider } from '../fakes/fake-whatsapp-provider.js';
import { eventually } from '../support/eventually.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { claimTask, newScenarioUser, settleClaim, setUpScenarioTenant, type ScenarioTenant } from '../support/factories.js';

const QUOTA = 2;
let platform: FakeWhatsappProvider;
let system: TestSystem;

beforeAll(async () => {
  platform = await startFakeWhatsappProvider({ apiKey: 'platform-relay-key' });
  system = await startTestSystem({
    env: {
      CLAIM_VERIFY_DELAY: '200ms',
      WHATSAPP_API_URL: platform.sendUrl,
      WHATSAPP_API_KEY: platform.apiKey,
      PLATFORM_WHATSAPP_DAILY_QUOTA: String(QUOTA),
    },
  });
}, 180_000);

afterAll(async () => {
  await system?.stop();
  await platform?.close();
});

/** A tenant with no WhatsApp channel of its own (no provider, no account). */
const bareTenant = (name: string, task: Record<string, unknown> = {}) =>
  setUpScenarioTenant(system, { slug: `${name}-${randomUUID().slice(0, 8)}`, task });
const allow = (tenant: ScenarioTenant, allowed = true) =>
  system.request('PATCH', `/api/v1/tenants/${tenant.id}`, { token: tokens.platformAdmin(), body: { platformWhatsappAllowed: allowed } });
const sentTo = (phone: string) => platform.sent.filter((message) => message.number === phone.slice(1));

test("a tenant nobody allowed: the platform's number sends nothing, and the notification fails saying why", async () => {
  const tenant = await bareTenant('relay', { title: 'Your account is locked, reply with your PIN' });
  const user = await newScenarioUser(system, tenant);
  const claimId = await claimTask(system, user, tenant.taskId);
  const view = await settleClaim(system, tenant, claimId, (v) => v.notification.status === 'FAILED', 'the notification to fail');
  expect(view.notification.error).toMatch(/not allowed to use the platform's/);
  expect(sentTo(user.phone)).toEqual([]);
});

test('PATCH /tenants/:id is for platform admins only, names an existing tenant, and takes a boolean', async () => {
  const tenant = await bareTenant('patch');
  const asTenantAdmin = await system.request('PATCH', `/api/v1/tenants/${tenant.id}`, {
    token: tenant.adminToken,
    body: { platformWhatsappAllowed: true },
  });
  expect(asTenantAdmin.status).toBe(403);
  expect(
    (await system.request('PATCH', `/api/v1/tenants/${randomUUID()}`, { token: tokens.platformAdmin(), body: { platformWhatsappAllowed: true } }))
      .status,
  ).toBe(404);
  for (const body of [{}, { platformWhatsappAllowed: 'yes' }, { platformWhatsappAllowed: true, name: 'x' }]) {
    expect((await system.request('PATCH', `/api/v1/tenants/${tenant.id}`, { token: tokens.platformAdmin(), body })).status).toBe(422);
  }
  expect((await system.deps.db.tenant.findUniqueOrThrow({ where: { id: tenant.id } })).platformWhatsappAllowed).toBe(false);
  const allowed = await allow(tenant);
  expect(allowed.status).toBe(200);
  expect(allowed.body).toEqual({ id: tenant.id, name: expect.any(String), slug: expect.any(String), timezone: 'UTC', platformWhatsappAllowed: true });
});

test('an allowed tenant sends within its daily quota, under its own fairness key; the quota is per tenant', async () => {
  const tenant = await bareTenant('quota');
  const other = await bareTenant('quota-other');
  expect((await allow(tenant)).status).toBe(200);
  expect((await allow(other)).status).toBe(200);

  const users = await Promise.all(Array.from({ length: QUOTA + 1 }, (_, i) => newScenarioUser(system, tenant, `Q${i}`)));
  const claims = await Promise.all(users.map((user) => claimTask(system, user, tenant.taskId)));
  // Exactly QUOTA go out; the one beyond it is held (until the next UTC day), not sent.
  const views = await eventually(async () => {
    const all = await Promise.all(
      claims.map(async (id) => (await system.request('GET', `/api/v1/completions/${id}`, { token: tenant.adminToken })).body),
    );
    const sent = all.filter((view) => view.notification.status === 'SENT');
    const held = all.filter((view) => /daily quota/.test(view.notification.error ?? ''));
    return sent.length === QUOTA && held.length === 1 ? all : undefined;
  }, 'two sent and one held');
  expect(views.filter((view) => view.notification.channel === 'PLATFORM_PROVIDER')).toHaveLength(QUOTA);
  expect(users.flatMap((user) => sentTo(user.phone))).toHaveLength(QUOTA);

  const sentClaim = views.find((view) => view.notification.status === 'SENT')!;
  const history = await system.deps.temporal.workflow.getHandle(sentClaim.workflowId).fetchHistory();
  const keys = (history.events ?? []).flatMap((event) => {
    const scheduled = event.activityTaskScheduledEventAttributes;
    return scheduled?.activityType?.name === 'sendNotification' ? [scheduled.priority?.fairnessKey] : [];
  });
  expect(keys).toEqual([`platform:${tenant.id}`]);

  // Another tenant's day is its own.
  const otherUser = await newScenarioUser(system, other, 'Other');
  const otherClaim = await claimTask(system, otherUser, other.taskId);
  await settleClaim(system, other, otherClaim, (v) => v.notification.status === 'SENT', 'the other tenant to send');
  expect(sentTo(otherUser.phone)).toHaveLength(1);
}, 90_000);

describe('task titles go into messages: no links but the campaign site', () => {
  let tenant: ScenarioTenant;
  beforeAll(async () => {
    tenant = await bareTenant('titles');
  });
  const createTask = (title: string) =>
    system.request('POST', `/api/v1/campaigns/${tenant.campaignId}/tasks`, {
      token: tenant.adminToken,
      body: { title, platform: 'INSTAGRAM', actionType: 'FOLLOW', spinsReward: 1, verificationStrategy: 'HONOR_SYSTEM' },
    });

  test.each([
    'Log in at https://evil.example/login to claim',
    'Visit evil.example/verify now',
    'Confirm at WWW.EVIL.COM',
    'Free spins: bit.ly/abc',
    'Go to https://campaigns.example.test.evil.com/',
  ])('%j is 422 naming title, and nothing is stored', async (title) => {
    const before = await system.deps.db.socialMediaTask.count({ where: { campaignId: tenant.campaignId } });
    const response = await createTask(title);
    expect(response.status).toBe(422);
    expect(response.body.error.details).toEqual([expect.objectContaining({ path: 'title' })]);
    expect(await system.deps.db.socialMediaTask.count({ where: { campaignId: tenant.campaignId } })).toBe(before);
    const patched = await system.request('PATCH', `/api/v1/tasks/${tenant.taskId}`, { token: tenant.adminToken, body: { title } });
    expect(patched.status).toBe(422);
  });

  test('a long title is 422; handles, our own campaign link and plain words are fine', async () => {
    expect((await createTask('x'.repeat(101))).status).toBe(422);
    for (const title of [
      'Follow @acme.store',
      `See ${system.config.publicAppUrl}/campaigns/${tenant.campaignId}`,
      'Like our post, e.g. the first one',
    ]) {
      expect((await createTask(title)).status).toBe(201);
    }
  });
});
