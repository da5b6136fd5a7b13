// What a claim's timeline may disclose, through the real app, worker and Temporal dev server:
// - the end user's timeline says how a claim stands in the same public sentences as their claim
//   view, never how the task was checked (honor system, sampling, review);
// - delivery statuses are shown only for a Cloud API message, and only those Meta reported through
//   the claim's own tenant's number: a tenant provider that answers with another tenant's wamid
//   does not borrow that tenant's delivery times.
import { randomUUID } from 'node:crypto';
import { startFakeWhatsappProvider, type FakeWhatsappProvider } from '../fakes/fake-whatsapp-provider.js';
import { eventually } from '../support/eventually.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { claimTask, newScenarioUser, settleClaim, setUpScenarioTenant, type ScenarioTenant } from '../support/factories.js';

let provider: FakeWhatsappProvider;
let system: TestSystem;

beforeAll(async () => {
  provider = await startFakeWhatsappProvider({ apiKey: 'timeline-disclosure-key' });
  system = await startTestSystem();
}, 180_000);

afterAll(async () => {
  await system?.stop();
  await provider?.close();
});

const slug = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;
const userTimeline = (token: string, claimId: string) => system.request('GET', `/api/v1/claims/${claimId}/timeline`, { token });
const adminTimeline = (tenant: ScenarioTenant, claimId: string) =>
  system.request('GET', `/api/v1/completions/${claimId}/timeline`, { token: tenant.adminToken });
const HOW_CHECKED = /honor|statistic|sampling|review|Meta/i;

describe("the end user's timeline does not say how the task was checked", () => {
  test.each([
    ['the honor system', { verificationStrategy: 'HONOR_SYSTEM' }],
    ['statistical sampling', { verificationStrategy: 'STATISTICAL', statisticalApprovalRate: 1 }],
  ])('a claim verified by %s reads as in the claim view', async (_how, task) => {
    const tenant = await setUpScenarioTenant(system, { slug: slug('disclose'), provider, task });
    const user = await newScenarioUser(system, tenant);
    const claimId = await claimTask(system, user, tenant.taskId);
    await settleClaim(system, tenant, claimId, (view) => view.status === 'VERIFIED', 'the verification');

    const claimView = await system.request('GET', `/api/v1/claims/${claimId}`, { token: user.token });
    const own = await userTimeline(user.token, claimId);
    expect(own.status).toBe(200);
    const verified = own.body.events.find((event: { kind: string }) => event.kind === 'verified');
    expect(verified.text).toBe(claimView.body.detail);
    expect(own.text).not.toMatch(HOW_CHECKED);
    // The tenant admin still reads how.
    expect((await adminTimeline(tenant, claimId)).text).toMatch(HOW_CHECKED);
  });

  test('a claim waiting for a review reads "checking", as in the claim view', async () => {
    const tenant = await setUpScenarioTenant(system, { slug: slug('disclose-manual'), provider, task: { verificationStrategy: 'MANUAL' } });
    const user = await newScenarioUser(system, tenant);
    const claimId = await claimTask(system, user, tenant.taskId);
    await eventually(async () => {
      const response = await adminTimeline(tenant, claimId);
      return response.body.next?.kind === 'manual_review' ? response : undefined;
    }, 'the manual review wait');

    const claimView = await system.request('GET', `/api/v1/claims/${claimId}`, { token: user.token });
    const own = await userTimeline(user.token, claimId);
    expect(own.body.next).toMatchObject({ text: claimView.body.detail });
    expect(own.text).not.toMatch(HOW_CHECKED);
  });
});

describe('delivery statuses on the timeline', () => {
  /** A claim of `tenant` sent through its own provider, which answered with `messageId`. */
  async function sentClaim(tenant: ScenarioTenant, messageId: string): Promise<string> {
    provider.scriptReplies({ status: 200, body: { id: messageId } });
    const user = await newScenarioUser(system, tenant);
    const claimId = await claimTask(system, user, tenant.taskId);
    await settleClaim(system, tenant, claimId, (view) => view.notification.status === 'SENT', 'the notification to be sent');
    return claimId;
  }

  /** Statuses Meta reported for `wamid` through a number of `tenantId`. */
  async function metaReported(wamid: string, tenantId: string) {
    const occurredAt = new Date();
    for (const status of ['delivered', 'read']) {
      await system.deps.db.messageStatusEvent.create({ data: { providerMessageId: wamid, tenantId, status, occurredAt, appliedAt: occurredAt } });
    }
  }

  const deliveryKinds = (body: { events: { kind: string }[] }) =>
    body.events.map((event) => event.kind).filter((kind) => ['delivered', 'read', 'delivery_failed'].includes(kind));

  test("a tenant provider answering with another tenant's wamid shows none of that tenant's delivery times", async () => {
    const victim = await setUpScenarioTenant(system, { slug: slug('victim'), provider });
    const attacker = await setUpScenarioTenant(system, { slug: slug('attacker'), provider });
    const wamid = `wamid.${randomUUID()}`;
    await metaReported(wamid, victim.id);
    const claimId = await sentClaim(attacker, wamid);

    const timeline = await adminTimeline(attacker, claimId);
    expect(timeline.status).toBe(200);
    expect(timeline.body.events.find((event: { kind: string }) => event.kind === 'sent')).toMatchObject({ providerMessageId: wamid });
    expect(deliveryKinds(timeline.body)).toEqual([]);
  });

  test("a Cloud API message shows the statuses reported through its own tenant's number only", async () => {
    const tenant = await setUpScenarioTenant(system, { slug: slug('cloud'), provider });
    const other = await setUpScenarioTenant(system, { slug: slug('cloud-other'), provider });
    const claimId = await sentClaim(tenant, `msg-${randomUUID()}`);
    // As if the message had gone out through the tenant's Cloud API number.
    const ownWamid = `wamid.${randomUUID()}`;
    await system.deps.db.claim.update({
      where: { id: claimId },
      data: { notificationChannel: 'WHATSAPP_CLOUD', notificationProviderMessageId: ownWamid },
    });
    await metaReported(ownWamid, other.id);
    expect(deliveryKinds((await adminTimeline(tenant, claimId)).body)).toEqual([]);

    await system.deps.db.messageStatusEvent.deleteMany({ where: { providerMessageId: ownWamid } });
    await metaReported(ownWamid, tenant.id);
    expect(deliveryKinds((await adminTimeline(tenant, claimId)).body)).toEqual(['delivered', 'read']);
  });
});
