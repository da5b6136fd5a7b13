// A worker asked to stop (SIGTERM → worker.shutdown()) finishes the sends it has in flight and
// records their outcome before exiting: a deploy never turns a send into UNKNOWN.
import { randomUUID } from 'node:crypto';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { startClaimWorkflow } from '../../src/temporal/claim-starter.js';
import { eventually } from '../support/eventually.js';
import { startFakeHttpServer, type FakeHttpServer } from '../support/fake-http-server.js';
import { startTestSystem, type TestSystem } from '../support/system.js';

let system: TestSystem;
let provider: FakeHttpServer;

beforeAll(async () => {
  provider = await startFakeHttpServer(() => ({ delayMs: 2_500, body: { id: `drained-${provider.requests.length}` } }));
  system = await startTestSystem({ env: { CLAIM_VERIFY_DELAY: '200ms', OUTBOUND_HTTP_TIMEOUT: '10s' } });
}, 60_000);

afterAll(async () => {
  await system?.stop();
  await provider?.close();
});

test('shutting the worker down mid-send waits for the provider and records SENT, not UNKNOWN', async () => {
  const db = system.deps.db;
  const secrets = createSecretBox([system.config.tokenEncryptionKey]);
  const tenant = await db.tenant.create({
    data: {
      name: 'Drain',
      slug: `drain-${randomUUID().slice(0, 6)}`,
      waConfig: secrets.sealJson({ apiUrl: `${provider.url}/send`, apiKey: 'k', sender: 'Drain' }),
    },
  });
  const campaign = await db.campaign.create({ data: { tenantId: tenant.id, name: 'C', notificationStartHour: 0, notificationEndHour: 0 } });
  const task = await db.socialMediaTask.create({
    data: {
      tenantId: tenant.id,
      campaignId: campaign.id,
      title: 'Follow',
      platform: 'INSTAGRAM',
      actionType: 'FOLLOW',
      spinsReward: 1,
      verificationStrategy: 'HONOR_SYSTEM',
    },
  });
  const user = await db.endUser.create({
    data: { tenantId: tenant.id, name: 'Dee', phone: '+51999000111', whatsappOptInAt: new Date(), whatsappOptInSource: 'test-fixture' },
  });
  const id = randomUUID();
  const claim = await db.claim.create({
    data: { id, tenantId: tenant.id, campaignId: campaign.id, taskId: task.id, userId: user.id, workflowId: `claim-${id}`, workflowStartedAt: null },
  });
  await startClaimWorkflow(system.deps, claim);

  await eventually(async () => provider.requests.length === 1, 'the send to reach the provider');
  // What SIGTERM does in `npm run worker`: both workers of the process shut down.
  system.sendWorker!.shutdown();
  system.worker!.shutdown();
  await eventually(async () => system.sendWorker!.getState() === 'STOPPED', 'the send worker to stop', 30_000);

  const row = await db.claim.findUniqueOrThrow({ where: { id } });
  expect(row).toMatchObject({ notificationStatus: 'SENT', notificationProviderMessageId: 'drained-1' });
  expect(provider.requests).toHaveLength(1);
});
