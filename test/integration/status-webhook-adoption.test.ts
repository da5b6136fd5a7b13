// A worker SIGKILLed right after Meta accepted a Cloud API message never records the message id.
// Meta's `sent` status arrives a second later, naming our claim in biz_opaque_callback_data,
// while the notification is still SENDING; it is kept with that callback data, and when the retry
// finds the attempt interrupted, the notification adopts the message in the same transaction: it
// ends SENT (then DELIVERED), never UNKNOWN, and nothing is sent twice. Real worker process (killed
// with SIGKILL), real Temporal dev server, PostgreSQL and API; fake Meta over HTTP.
import type { Worker } from '@temporalio/worker';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { startClaimWorkflow } from '../../src/temporal/claim-starter.js';
import { createSendWorker } from '../../src/worker/send-queue.js';
import { createWorker } from '../../src/worker/worker.js';
import { ourProcess, type Restartable } from '../chaos/processes.js';
import { startFakeMeta, type FakeMeta, type StatusWebhookSender } from '../fakes/fake-meta.js';
import { eventually } from '../support/eventually.js';
import { BASE_TEST_ENV, startTestSystem, type TestSystem } from '../support/system.js';

let fakeMeta: FakeMeta;
let system: TestSystem;
let workerProcess: Restartable | undefined;
const inProcessWorkers: { worker: Worker; running: Promise<void> }[] = [];

beforeAll(async () => {
  fakeMeta = await startFakeMeta({ appSecret: 'adoption-app-secret', serviceWindow: 'off' });
  system = await startTestSystem({
    worker: false,
    env: {
      META_GRAPH_BASE_URL: fakeMeta.url,
      META_APP_ID: fakeMeta.appId,
      META_APP_SECRET: fakeMeta.appSecret,
      CLAIM_VERIFY_DELAY: '200ms',
      OUTBOUND_HTTP_TIMEOUT: '30s',
    },
  });
}, 120_000);

afterAll(async () => {
  await workerProcess?.stop('SIGKILL');
  workerProcess?.close();
  for (const { worker, running } of inProcessWorkers) {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
  }
  await system?.stop();
  await fakeMeta?.close();
});

/** The worker as `npm run worker` runs it, against this test's database, Temporal and task queue. */
function startWorkerProcess(): Restartable {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...BASE_TEST_ENV,
    DATABASE_URL: system.database.url,
    TEMPORAL_ADDRESS: system.temporalEnv.address,
    TEMPORAL_TASK_QUEUE: system.config.temporal.taskQueue,
    META_GRAPH_BASE_URL: fakeMeta.url,
    META_APP_ID: fakeMeta.appId,
    META_APP_SECRET: fakeMeta.appSecret,
    OUTBOUND_HTTP_TIMEOUT: '30s',
    LOG_LEVEL: 'warn',
  };
  return ourProcess('worker', env, mkdtempSync(join(tmpdir(), 'adoption-worker-')), async () => {});
}

function runInProcess(worker: Worker): void {
  inProcessWorkers.push({ worker, running: worker.run() });
}

async function seedCloudClaim() {
  const db = system.deps.db;
  const waba = fakeMeta.addWaba({ name: 'Adoption WABA' });
  const phone = fakeMeta.addPhoneNumber(waba.id, {});
  const token = fakeMeta.addBusinessToken([waba.id], { assets: [waba.id, phone.id] });
  const tenant = await db.tenant.create({ data: { name: 'Adoption', slug: `adoption-${randomUUID().slice(0, 6)}` } });
  const account = await db.whatsappAccount.create({
    data: {
      tenantId: tenant.id,
      wabaId: waba.id,
      phoneNumberId: phone.id,
      displayPhoneNumber: phone.displayPhoneNumber,
      accessToken: system.deps.secrets.seal(token.token),
      status: 'ACTIVE',
    },
  });
  const campaign = await db.campaign.create({
    data: { tenantId: tenant.id, name: 'C', notificationStartHour: 0, notificationEndHour: 0, whatsappAccountId: account.id },
  });
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
    data: { tenantId: tenant.id, name: 'Ada', phone: '+51999000222', whatsappOptInAt: new Date(), whatsappOptInSource: 'test-fixture' },
  });
  const id = randomUUID();
  return db.claim.create({
    data: { id, tenantId: tenant.id, campaignId: campaign.id, taskId: task.id, userId: user.id, workflowId: `claim-${id}`, workflowStartedAt: null },
  });
}

test('a worker killed right after Meta accepted the message: the early `sent` status is adopted when the attempt is found interrupted; SENT then DELIVERED, never UNKNOWN', async () => {
  const db = system.deps.db;
  const claim = await seedCloudClaim();
  // Meta carries the send out at once and answers late: the worker dies before it reads the answer.
  fakeMeta.failNext({ path: /\/messages$/, delayMs: 20_000 });
  const statuses: StatusWebhookSender = fakeMeta.sendStatusWebhooks({
    url: `${system.url}/webhooks/meta`,
    statuses: [{ status: 'sent', afterMs: 1_000 }],
  })!;

  const seen = new Set<string>();
  const watch = setInterval(() => {
    db.claim
      .findUnique({ where: { id: claim.id }, select: { notificationStatus: true } })
      .then((row) => row && seen.add(row.notificationStatus))
      .catch(() => {});
  }, 25);
  try {
    workerProcess = startWorkerProcess();
    await workerProcess.start();
    await startClaimWorkflow(system.deps, claim);
    await eventually(async () => fakeMeta.sentMessages.length === 1, 'Meta to accept the message', 90_000);
    await workerProcess.stop('SIGKILL');
    const [message] = fakeMeta.sentMessages;

    // A worker for workflows only: the webhook is processed and the `sent` status kept (no
    // notification has the message id), while the send stays interrupted (its queue is not polled).
    runInProcess(await createWorker({ connection: system.temporalEnv.nativeConnection, deps: system.deps }));
    await eventually(
      async () => (await db.messageStatusEvent.count({ where: { callbackData: claim.id, status: 'sent' } })) === 1,
      'the sent status to be kept with its callback data',
      60_000,
    );
    expect(await db.claim.findUniqueOrThrow({ where: { id: claim.id } })).toMatchObject({ notificationStatus: 'SENDING' });

    // The send's queue is polled again: the retry finds the attempt interrupted.
    runInProcess(await createSendWorker({ connection: system.temporalEnv.nativeConnection, deps: system.deps }));
    const sent = await eventually(
      async () => {
        const row = await db.claim.findUniqueOrThrow({ where: { id: claim.id } });
        return row.notificationStatus !== 'SENDING' && row;
      },
      'the interrupted send to be resolved',
      60_000,
    );
    expect(sent).toMatchObject({ notificationStatus: 'SENT', notificationProviderMessageId: message!.id, notificationChannel: 'WHATSAPP_CLOUD' });
    expect(sent.notificationAdoptedAt).not.toBeNull();

    statuses.report(message!, 'delivered');
    await eventually(
      async () => (await db.claim.findUniqueOrThrow({ where: { id: claim.id } })).notificationStatus === 'DELIVERED',
      'the delivered status to apply',
      60_000,
    );
  } finally {
    clearInterval(watch);
  }
  expect(seen.has('UNKNOWN')).toBe(false);
  expect(fakeMeta.sentMessages).toHaveLength(1);
}, 240_000);
