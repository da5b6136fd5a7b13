// On the cluster topology, with the dynamic config docker-compose.yml ships
// (deploy/temporal/dynamicconfig/production-sql.yaml): a big tenant's backlog on its channel does not
// delay another channel's message. The big tenant's sends are paced at WHATSAPP_SEND_RATE per
// channel, so its backlog takes seconds to drain; the small tenant's one send, queued after the
// whole backlog, must go out before the backlog is through (fairness between keys), not after it.
import { startFakeWhatsappProvider, type FakeWhatsappProvider } from '../fakes/fake-whatsapp-provider.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';

// A backlog of 30 s at 1/s: the small claim's own way through (API, workflow, verification, plan)
// takes a second or two, so there is a wide margin between "went out beside the backlog" and
// "queued behind it" even on a busy machine.
const RATE = 1;
const BIG_CLAIMS = 30;

let platform: FakeWhatsappProvider;
let ownProvider: FakeWhatsappProvider;
let system: TestSystem;

beforeAll(async () => {
  platform = await startFakeWhatsappProvider({ apiKey: 'platform-provider-key' });
  ownProvider = await startFakeWhatsappProvider({ apiKey: 'small-tenant-provider-key' });
  system = await startTestSystem({
    env: { CLAIM_VERIFY_DELAY: '200ms', WHATSAPP_API_URL: platform.sendUrl, WHATSAPP_API_KEY: platform.apiKey, WHATSAPP_SEND_RATE: String(RATE) },
  });
}, 120_000);

afterAll(async () => {
  await system?.stop();
  await platform?.close();
  await ownProvider?.close();
});

async function campaignTask(admin: string, name: string, closed: boolean): Promise<{ campaignId: string; taskId: string }> {
  const hour = new Date().getUTCHours();
  // start == end: always open; otherwise a window that opens hours from now.
  const window = closed
    ? { timezone: 'UTC', notificationStartHour: (hour + 3) % 24, notificationEndHour: (hour + 4) % 24 }
    : { notificationStartHour: 0, notificationEndHour: 0 };
  const campaign = await system.request('POST', '/api/v1/campaigns', { token: admin, body: { name, ...window } });
  expect(campaign.status).toBe(201);
  const task = await system.request('POST', `/api/v1/campaigns/${campaign.body.id}/tasks`, {
    token: admin,
    body: { title: 'Follow', platform: 'INSTAGRAM', actionType: 'FOLLOW', spinsReward: 1, verificationStrategy: 'HONOR_SYSTEM' },
  });
  expect(task.status).toBe(201);
  return { campaignId: campaign.body.id, taskId: task.body.id };
}

async function claimAll(tenantId: string, admin: string, taskId: string, count: number, phonePrefix: string): Promise<void> {
  const users = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      system.request('POST', '/api/v1/end-users', { token: admin, body: { name: `U${i}`, phone: `${phonePrefix}${String(i).padStart(4, '0')}` } }),
    ),
  );
  const claims = await Promise.all(
    users.map((user) => system.request('POST', `/api/v1/tasks/${taskId}/claims`, { token: tokens.endUser(tenantId, user.body.id), body: {} })),
  );
  expect(claims.map((claim) => claim.status)).toEqual(Array(count).fill(202));
}

test("a big tenant's paced backlog does not hold back another channel's send", async () => {
  const bigId = await system.createTenant('fair-big');
  const bigAdmin = tokens.tenantAdmin(bigId);
  const smallId = await system.createTenant('fair-small');
  const smallAdmin = tokens.tenantAdmin(smallId);
  const settings = await system.request('PUT', '/api/v1/tenant/settings', {
    token: smallAdmin,
    body: { waConfig: { apiUrl: ownProvider.sendUrl, apiKey: ownProvider.apiKey, sender: 'Small' } },
  });
  expect(settings.status).toBe(200);

  // The big tenant's claims wait for a closed window, so that its whole backlog is queued at once.
  const big = await campaignTask(bigAdmin, 'Big', true);
  await claimAll(bigId, bigAdmin, big.taskId, BIG_CLAIMS, '+5198722');
  const waiting = async () => system.deps.db.claim.count({ where: { tenantId: bigId, notificationStatus: 'WAITING_FOR_WINDOW' } });
  for (const deadline = Date.now() + 60_000; (await waiting()) < BIG_CLAIMS && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(await waiting()).toBe(BIG_CLAIMS);
  const opened = await system.request('PATCH', `/api/v1/campaigns/${big.campaignId}`, {
    token: bigAdmin,
    body: { notificationStartHour: 0, notificationEndHour: 0 },
  });
  expect(opened.status).toBe(200);
  // The backlog is being paced: the first sends are out, the rest queued on the platform channel.
  for (const deadline = Date.now() + 60_000; platform.sent.length < 2 && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(platform.sent.length).toBeGreaterThanOrEqual(2);

  const small = await campaignTask(smallAdmin, 'Small', false);
  await claimAll(smallId, smallAdmin, small.taskId, 1, '+5198733');
  for (const deadline = Date.now() + 60_000; ownProvider.sent.length < 1 && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(ownProvider.sent).toHaveLength(1);
  // At RATE per second the backlog needs BIG_CLAIMS / RATE = 30 s; the small send went out while
  // most of it was still queued (behind it, it would have come after all thirty).
  expect(platform.sent.length).toBeLessThan(BIG_CLAIMS / 2);
}, 180_000);
