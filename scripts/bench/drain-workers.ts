// The drain with one worker process, then with one more (WORKERS=1, then 2 by default), on the
// stack of the topology being measured: CLAIMS claims over CHANNELS tenants, each with its own
// provider (its own fairness key, so Temporal's per-channel rate is not what limits the drain),
// all waiting for a closed window; then the windows open at once and the bench times the drain
// and counts the CPU each process spent per claim. On 2 cores a second worker can only help as far
// as the server and PostgreSQL leave CPU for it; the per-claim CPU says what each process costs.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { createDatabase, type Database } from '../../src/db/client.js';
import { cpuLine, cpuSnapshot } from './proc.js';
import { figure } from './report.js';
import type { TopologyStack } from './topology-stack.js';
import { until } from './util.js';

/** temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW */
const TASK_QUEUE_TYPE_WORKFLOW = 1;

/** A provider that accepts everything and counts messages per channel (the path's second segment). */
async function startCountingProvider() {
  const arrivals: number[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      arrivals.push(Date.now());
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: 'success', data: { messageId: `d-${arrivals.length}` } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrivals,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Distinct pollers of the main (workflow) task queue: how many workers are up and polling. */
async function workflowPollers(stack: TopologyStack): Promise<number> {
  try {
    const described = await stack.client.workflowService.describeTaskQueue({
      namespace: stack.namespace,
      taskQueue: { name: stack.taskQueue },
      taskQueueType: TASK_QUEUE_TYPE_WORKFLOW,
    });
    return new Set((described.pollers ?? []).map((poller) => poller.identity)).size;
  } catch {
    return 0;
  }
}

interface DrainSetup {
  readonly tenantIds: string[];
  readonly campaigns: { tenantId: string; campaignId: string }[];
}

async function setUpWaitingClaims(
  stack: TopologyStack,
  db: Database,
  options: { providerUrl: string; claims: number; channels: number; jwtSecret: string; encryptionKey: Buffer; label: string },
): Promise<DrainSetup> {
  const secrets = createSecretBox([options.encryptionKey]);
  const hour = new Date().getUTCHours();
  const closed = { timezone: 'UTC', notificationStartHour: (hour + 3) % 24, notificationEndHour: (hour + 4) % 24 };
  const campaigns: DrainSetup['campaigns'] = [];
  const claims: { tenantId: string; taskId: string; userId: string }[] = [];
  for (let channel = 0; channel < options.channels; channel++) {
    const slug = `drain-${options.label}-${channel}`;
    const tenant = await db.tenant.create({
      data: {
        name: slug,
        slug,
        waConfig: secrets.sealJson({ apiUrl: `${options.providerUrl}/c/${slug}/send`, apiKey: 'drain-key', sender: 'Drain' }),
      },
    });
    const campaign = await db.campaign.create({ data: { tenantId: tenant.id, name: 'Drain', ...closed } });
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
    campaigns.push({ tenantId: tenant.id, campaignId: campaign.id });
    const count = Math.floor(options.claims / options.channels) + (channel < options.claims % options.channels ? 1 : 0);
    await db.endUser.createMany({
      data: Array.from({ length: count }, (_, i) => ({
        tenantId: tenant.id,
        name: `D${i}`,
        phone: `+5197${String(channel).padStart(2, '0')}${String(i).padStart(5, '0')}`,
        whatsappOptInAt: new Date(),
        whatsappOptInSource: 'bench',
      })),
    });
    for (const user of await db.endUser.findMany({ where: { tenantId: tenant.id }, select: { id: true } })) {
      claims.push({ tenantId: tenant.id, taskId: task.id, userId: user.id });
    }
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < claims.length) {
        const { tenantId, taskId, userId } = claims[next++]!;
        const token = jwt.sign({ role: 'end_user', tenantId }, options.jwtSecret, { algorithm: 'HS256', subject: userId, expiresIn: 3600 });
        const response = await fetch(`${stack.apiUrl}/api/v1/tasks/${taskId}/claims`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: '{}',
        });
        if (response.status !== 202 && response.status !== 200) throw new Error(`claim: ${response.status} ${await response.text()}`);
      }
    }),
  );
  const tenantIds = campaigns.map((each) => each.tenantId);
  const waiting = () => db.claim.count({ where: { tenantId: { in: tenantIds }, notificationStatus: 'WAITING_FOR_WINDOW' } });
  if (!(await until(async () => (await waiting()) === options.claims, 15 * 60_000, 1_000))) {
    throw new Error(`only ${await waiting()} of ${options.claims} drain claims reached WAITING_FOR_WINDOW`);
  }
  return { tenantIds, campaigns };
}

async function measureDrain(
  stack: TopologyStack,
  db: Database,
  options: { claims: number; channels: number; jwtSecret: string; encryptionKey: Buffer },
): Promise<void> {
  const workers = stack.ours.workers.length;
  const provider = await startCountingProvider();
  try {
    const setup = await setUpWaitingClaims(stack, db, { ...options, providerUrl: provider.url, label: `${stack.topology}-w${workers}` });
    const admin = (tenantId: string) =>
      jwt.sign({ role: 'tenant_admin', tenantId }, options.jwtSecret, { algorithm: 'HS256', subject: 'drain-admin', expiresIn: 3600 });
    const before = cpuSnapshot(stack.processes());
    const opened = Date.now();
    await Promise.all(
      setup.campaigns.map(async ({ tenantId, campaignId }) => {
        const response = await fetch(`${stack.apiUrl}/api/v1/campaigns/${campaignId}`, {
          method: 'PATCH',
          headers: { authorization: `Bearer ${admin(tenantId)}`, 'content-type': 'application/json' },
          body: JSON.stringify({ notificationStartHour: 0, notificationEndHour: 0 }),
        });
        if (response.status !== 200) throw new Error(`PATCH: ${response.status}`);
      }),
    );
    await until(() => provider.arrivals.length >= options.claims, 15 * 60_000, 100);
    const seconds = (Math.max(...provider.arrivals) - opened) / 1000;
    const after = cpuSnapshot(stack.processes());
    figure(
      `drain with WORKERS=${workers}: ${(options.claims / seconds).toFixed(1)} claims/s (${provider.arrivals.length} of ${options.claims} sent ${seconds.toFixed(1)} s after the windows opened, ${options.channels} channels)`,
    );
    figure(`CPU during the drain with WORKERS=${workers}: ${cpuLine(before, after, seconds, options.claims)}`);
  } finally {
    await provider.close();
  }
}

/** The drain with the stack's workers, then with one more worker process. */
export async function benchDrainByWorkers(
  stack: TopologyStack,
  options: { claims: number; channels: number; jwtSecret: string; encryptionKey: Buffer },
): Promise<void> {
  const db = createDatabase(stack.databaseUrl, { maxConnections: 4 });
  try {
    await until(async () => (await workflowPollers(stack)) >= stack.ours.workers.length, 120_000, 500);
    await measureDrain(stack, db, options);
    await stack.addWorker();
    if (!(await until(async () => (await workflowPollers(stack)) >= stack.ours.workers.length, 180_000, 500))) {
      throw new Error(`worker ${stack.ours.workers.length} did not start polling`);
    }
    await measureDrain(stack, db, options);
  } finally {
    await db.$disconnect();
  }
}
