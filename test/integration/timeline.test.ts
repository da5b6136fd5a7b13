// GET /api/v1/completions/:id/timeline (tenant admin) and GET /api/v1/claims/:id/timeline (the end
// user's reduced form), through the real app, worker and Temporal dev server: a sent claim, one
// waiting for the notification window, one held for a reconnection, one awaiting review, a failed
// one, and the 404s of tenant and user isolation.
import { randomUUID } from 'node:crypto';
import { startFakeWhatsappProvider, type FakeWhatsappProvider } from '../fakes/fake-whatsapp-provider.js';
import { eventually } from '../support/eventually.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { claimTask, newScenarioUser, settleClaim, setUpScenarioTenant, type ScenarioTenant } from '../support/factories.js';

let provider: FakeWhatsappProvider;
let system: TestSystem;
let tenant: ScenarioTenant;
let other: ScenarioTenant;

beforeAll(async () => {
  provider = await startFakeWhatsappProvider({ apiKey: 'timeline-provider-key' });
  system = await startTestSystem();
  tenant = await setUpScenarioTenant(system, { slug: 'timeline-co', provider });
  other = await setUpScenarioTenant(system, { slug: 'timeline-other', provider });
}, 180_000);

afterAll(async () => {
  await system?.stop();
  await provider?.close();
});

const adminTimeline = (t: ScenarioTenant, claimId: string) =>
  system.request('GET', `/api/v1/completions/${claimId}/timeline`, { token: t.adminToken });
const userTimeline = (token: string, claimId: string) => system.request('GET', `/api/v1/claims/${claimId}/timeline`, { token });
const kinds = (body: { events: { kind: string }[] }) => body.events.map((event) => event.kind);

test('a sent claim: claimed, verified, credited, sent through which channel with the message id; nothing next', async () => {
  const user = await newScenarioUser(system, tenant);
  const claimId = await claimTask(system, user, tenant.taskId);
  const view = await settleClaim(system, tenant, claimId, (v) => v.notification.status === 'SENT', 'the notification to be sent');
  const messageId = view.notification.providerMessageId as string;
  expect(messageId).toEqual(expect.any(String));

  const admin = await adminTimeline(tenant, claimId);
  expect(admin.status).toBe(200);
  expect(kinds(admin.body)).toEqual(['claimed', 'verified', 'credited', 'send_attempt', 'sent']);
  expect(admin.body.next).toBeNull();
  const [claimed, verified, credited, attempt, sent] = admin.body.events;
  expect(claimed.at).toBe(view.claimedAt);
  expect(verified).toMatchObject({ at: view.verifiedAt, method: 'HONOR_SYSTEM', text: 'Verified by the honor system.' });
  expect(credited).toMatchObject({ spins: 4 });
  expect(sent).toMatchObject({ at: view.notification.sentAt, channel: 'TENANT_PROVIDER', providerMessageId: messageId });
  expect(sent.text).toContain(messageId);
  // The send attempt that carried it: its id, when it started and how it ended (the admin only).
  const row = await system.deps.db.claim.findUniqueOrThrow({ where: { id: claimId } });
  expect(attempt).toMatchObject({ attemptId: row.notificationAttemptId, outcome: 'SENT', endedAt: expect.any(String) });
  expect(Date.parse(attempt.at)).toBeLessThanOrEqual(Date.parse(attempt.endedAt));

  // The end user's form: the same steps, no channel, message id or provider wording.
  const own = await userTimeline(user.token, claimId);
  expect(own.status).toBe(200);
  expect(kinds(own.body)).toEqual(['claimed', 'verified', 'credited', 'sent']);
  expect(own.text).not.toContain(messageId);
  expect(own.text).not.toContain('TENANT_PROVIDER');
  expect(own.text).not.toContain('provider');
  expect(own.body.events[1]).not.toHaveProperty('evidence');
});

test('a claim waiting for the notification window says which window, which time zone, until when', async () => {
  // A window that opens two hours from now (UTC), so it is closed at claim time.
  const hour = new Date().getUTCHours();
  const waiting = await setUpScenarioTenant(system, {
    slug: `timeline-window-${randomUUID().slice(0, 8)}`,
    provider,
    campaign: { timezone: 'UTC', notificationStartHour: (hour + 2) % 24, notificationEndHour: (hour + 3) % 24 },
  });
  const user = await newScenarioUser(system, waiting);
  const claimId = await claimTask(system, user, waiting.taskId);
  const view = await settleClaim(system, waiting, claimId, (v) => v.notification.status === 'WAITING_FOR_WINDOW', 'the window wait');

  const admin = await adminTimeline(waiting, claimId);
  expect(kinds(admin.body)).toEqual(['claimed', 'verified', 'credited']);
  const hh = (h: number) => `${String(h % 24).padStart(2, '0')}:00`;
  expect(admin.body.next).toEqual({
    at: view.notification.notBefore,
    kind: 'notify',
    text: `Waiting for the notification window (${hh(hour + 2)}–${hh(hour + 3)}, UTC) until ${view.notification.notBefore}.`,
  });
  const own = await userTimeline(user.token, claimId);
  expect(own.body.next).toEqual({
    at: view.notification.notBefore,
    kind: 'notify',
    text: `You will be notified after ${view.notification.notBefore}.`,
  });
});

test('a held notification says why and since when, for the admin only', async () => {
  const slug = `timeline-held-${randomUUID().slice(0, 8)}`;
  const tenantId = await system.createTenant(slug);
  // The campaign's own WhatsApp account needs reconnecting: its notifications are held, not rerouted.
  const account = await system.deps.db.whatsappAccount.create({
    data: { tenantId, wabaId: 'waba-held', phoneNumberId: `pn-${randomUUID()}`, displayPhoneNumber: '+1 555 0100', status: 'NEEDS_REAUTH' },
  });
  const held = await setUpScenarioTenant(system, { slug, existingTenantId: tenantId, campaign: { whatsappAccountId: account.id } });
  const user = await newScenarioUser(system, held);
  const claimId = await claimTask(system, user, held.taskId);

  const admin = await eventually(async () => {
    const response = await adminTimeline(held, claimId);
    return kinds(response.body).includes('held') ? response : undefined;
  }, 'the notification to be held');
  const heldEvent = admin.body.events.find((event: { kind: string }) => event.kind === 'held');
  expect(heldEvent.text).toBe('Notification held: WhatsApp account +1 555 0100 needs to be reconnected.');
  // Since when: the start of the workflow's hold, after the verification.
  expect(Date.parse(heldEvent.at)).toBeGreaterThanOrEqual(Date.parse(admin.body.events[1].at));
  expect(admin.body.next).toMatchObject({ at: null, kind: 'held' });

  const own = await userTimeline(user.token, claimId);
  expect(kinds(own.body)).toContain('held');
  expect(own.text).not.toContain('555');
  expect(own.text).not.toContain('reconnect');
});

test('a claim awaiting review, then rejected: the wait, then why it failed', async () => {
  const manual = await setUpScenarioTenant(system, {
    slug: `timeline-manual-${randomUUID().slice(0, 8)}`,
    provider,
    task: { verificationStrategy: 'MANUAL' },
  });
  const user = await newScenarioUser(system, manual);
  const claimId = await claimTask(system, user, manual.taskId);
  const waiting = await eventually(async () => {
    const response = await adminTimeline(manual, claimId);
    return response.body.next?.kind === 'manual_review' ? response : undefined;
  }, 'the manual review wait');
  expect(kinds(waiting.body)).toEqual(['claimed']);

  const rejected = await system.request('POST', `/api/v1/completions/${claimId}/reject`, {
    token: manual.adminToken,
    body: { reason: 'no comment from this handle' },
  });
  expect(rejected.status).toBe(202);
  await settleClaim(system, manual, claimId, (v) => v.status === 'FAILED', 'the rejection');

  const admin = await adminTimeline(manual, claimId);
  expect(kinds(admin.body)).toEqual(['claimed', 'failed']);
  expect(admin.body.events[1]).toMatchObject({ method: 'MANUAL', text: 'Not verified: Rejected by manual review: no comment from this handle.' });
  expect(admin.body.next).toBeNull();
  const own = await userTimeline(user.token, claimId);
  // The same sentence as the end user's claim view.
  const claimView = await system.request('GET', `/api/v1/claims/${claimId}`, { token: user.token });
  expect(own.body.events[1]).toEqual({ at: admin.body.events[1].at, kind: 'failed', text: claimView.body.detail });
  expect(own.text).not.toContain('no comment from this handle');
});

test("another tenant's completion is 404, and so is another user's claim", async () => {
  const user = await newScenarioUser(system, tenant, 'Rosa');
  const claimId = await claimTask(system, user, tenant.taskId);

  const foreign = await adminTimeline(other, claimId);
  expect(foreign.status).toBe(404);
  expect(foreign.body.error.code).toBe('NOT_FOUND');
  expect((await adminTimeline(tenant, randomUUID())).status).toBe(404);

  const neighbour = await newScenarioUser(system, tenant, 'Eva');
  expect((await userTimeline(neighbour.token, claimId)).status).toBe(404);
  expect((await userTimeline(user.token, claimId)).status).toBe(200);
  // Roles: the admin route is not the end user's, and the reverse.
  expect((await system.request('GET', `/api/v1/completions/${claimId}/timeline`, { token: user.token })).status).toBe(403);
  expect((await system.request('GET', `/api/v1/claims/${claimId}/timeline`, { token: tenant.adminToken })).status).toBe(403);
});
