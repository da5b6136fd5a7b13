// Request paths while Temporal is down, and the sweepers that catch up afterwards. The API under
// test talks to a Temporal address where nothing listens (a real outage, not a stubbed client);
// rows, answers and the backlog are checked against the real database and a real dev server.
import { Client, Connection } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import { createApp } from '../../src/http/app.js';
import { startUnstartedClaims } from '../../src/temporal/claim-starter.js';
import { startUnprocessedWebhooks } from '../../src/temporal/webhook-starter.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { endUserSeeder, seedCampaign, seedTask } from '../support/factories.js';

let system: TestSystem;
let downClient: Client;
let downServer: Server;
let downUrl: string;
let tenantId: string;
let campaignId: string;
let taskId: string;

/** A port nothing listens on: connecting to it is refused, as with a stopped Temporal server. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  system = await startTestSystem({ worker: false });
  downClient = new Client({ connection: Connection.lazy({ address: `127.0.0.1:${await closedPort()}` }) });
  downServer = await new Promise((resolve) => {
    const listening = createApp({ ...system.deps, temporal: downClient }).listen(0, '127.0.0.1', () => resolve(listening));
  });
  downUrl = `http://127.0.0.1:${(downServer.address() as AddressInfo).port}`;
  const db = system.deps.db;
  tenantId = (await db.tenant.create({ data: { name: 'Outage', slug: `outage-${randomUUID().slice(0, 6)}` } })).id;
  campaignId = (await seedCampaign(db, tenantId)).id;
  taskId = (await seedTask(db, tenantId, campaignId, { spinsReward: 1, verificationStrategy: 'HONOR_SYSTEM' })).id;
}, 60_000);

afterAll(async () => {
  await new Promise<void>((resolve) => downServer?.close(() => resolve()));
  await system?.stop();
});

/** Calls the API whose Temporal is down; fails if it does not answer within 10 s (the SDK alone retries ~20 s and more). */
async function callDownApi(method: string, path: string, token: string, body?: unknown) {
  const request = fetch(`${downUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (response) => ({ status: response.status, body: (await response.json()) as any }));
  const deadline = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`${method} ${path} waited on Temporal without a deadline`)), 10_000),
  );
  return Promise.race([request, deadline]);
}

const seedEndUser = endUserSeeder(() => system.deps.db, '+5192000', 'U');
const endUser = () => seedEndUser(tenantId);

async function claim(userId: string, data: Record<string, unknown> = {}) {
  const id = randomUUID();
  return system.deps.db.claim.create({
    data: { id, tenantId, campaignId, taskId, userId, workflowId: `claim-${id}`, workflowStartedAt: new Date(), ...data },
  });
}

describe('request paths give Temporal a short deadline', () => {
  test('a claim is still accepted (202) with its row written and left for the sweeper', async () => {
    const user = await endUser();
    const response = await callDownApi('POST', `/api/v1/tasks/${taskId}/claims`, tokens.endUser(tenantId, user.id), {});
    expect(response.status).toBe(202);
    const row = await system.deps.db.claim.findUniqueOrThrow({ where: { id: response.body.completionId } });
    expect(row.workflowStartedAt).toBeNull();
  });

  test('notify-now that cannot reach the workflow is 503 with a clear message, and changes nothing', async () => {
    const row = await claim((await endUser()).id, { status: 'VERIFIED', notificationStatus: 'WAITING_FOR_WINDOW' });
    const response = await callDownApi('POST', `/api/v1/completions/${row.id}/notify-now`, tokens.tenantAdmin(tenantId));
    expect(response.status).toBe(503);
    expect(response.body.error).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      message: expect.stringMatching(/could not be reached.*nothing was changed/),
    });
    expect(await system.deps.db.claim.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({
      notificationStatus: 'WAITING_FOR_WINDOW',
    });
  });

  test('approve and reject that cannot reach the workflow are 503 and leave the claim pending', async () => {
    const row = await claim((await endUser()).id);
    for (const action of ['approve', 'reject']) {
      const response = await callDownApi('POST', `/api/v1/completions/${row.id}/${action}`, tokens.tenantAdmin(tenantId), {});
      expect(response.status).toBe(503);
    }
    expect(await system.deps.db.claim.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: 'PENDING' });
  });

  test('a campaign edit is saved and answered although its waiting claims cannot be told (they re-plan at their timers)', async () => {
    const users = await Promise.all(Array.from({ length: 40 }, () => endUser()));
    await Promise.all(users.map((user) => claim(user.id, { status: 'VERIFIED', notificationStatus: 'WAITING_FOR_WINDOW' })));
    const response = await callDownApi('PATCH', `/api/v1/campaigns/${campaignId}`, tokens.tenantAdmin(tenantId), { notificationStartHour: 7 });
    expect(response.status).toBe(200);
    expect(response.body.notificationStartHour).toBe(7);
  });
});

describe('sweepers after an outage', () => {
  test('several API processes share a backlog bigger than one batch: every claim started once, in parallel', async () => {
    const users = await Promise.all(Array.from({ length: 260 }, () => endUser()));
    const claimedAt = new Date(Date.now() - 3_600_000);
    const ids = users.map(() => randomUUID());
    await system.deps.db.claim.createMany({
      data: users.map((user, index) => ({
        id: ids[index]!,
        tenantId,
        campaignId,
        taskId,
        userId: user.id,
        workflowId: `claim-${ids[index]}`,
        workflowStartedAt: null,
        claimedAt,
      })),
    });

    const starts = new Map<string, number>();
    let inFlight = 0;
    let mostInFlight = 0;
    /** One "API process": the real client, counting the starts it makes. */
    const process = () => {
      const workflow = new Proxy(system.deps.temporal.workflow, {
        get(target, property, receiver) {
          if (property !== 'start') return Reflect.get(target, property, receiver);
          return async (...args: Parameters<typeof target.start>) => {
            const workflowId = (args[1] as { workflowId: string }).workflowId;
            starts.set(workflowId, (starts.get(workflowId) ?? 0) + 1);
            mostInFlight = Math.max(mostInFlight, ++inFlight);
            try {
              return await target.start(...args);
            } finally {
              inFlight--;
            }
          };
        },
      });
      const temporal = new Proxy(system.deps.temporal, {
        get: (target, property) => (property === 'workflow' ? workflow : Reflect.get(target, property)),
      });
      return { ...system.deps, temporal };
    };

    const [first, second] = await Promise.all([startUnstartedClaims(process(), { graceMs: 0 }), startUnstartedClaims(process(), { graceMs: 0 })]);
    expect(first + second).toBeGreaterThanOrEqual(260);
    for (const id of ids) expect(starts.get(`claim-${id}`)).toBe(1);
    expect(mostInFlight).toBeGreaterThan(1);
    expect(await system.deps.db.claim.count({ where: { id: { in: ids }, workflowStartedAt: null } })).toBe(0);
  });

  test('webhook deliveries left unprocessed are started in batches until none is left', async () => {
    const receivedAt = new Date(Date.now() - 3_600_000);
    const keys = Array.from({ length: 230 }, () => randomUUID().replace(/-/g, ''));
    await system.deps.db.webhookEvent.createMany({
      data: keys.map((dedupeKey) => ({ dedupeKey, object: 'whatsapp_business_account', payload: {}, receivedAt })),
    });
    const started = await startUnprocessedWebhooks(system.deps, { graceMs: 0 });
    expect(started).toBeGreaterThanOrEqual(230);
    for (const key of keys.slice(0, 5)) {
      expect((await system.deps.temporal.workflow.getHandle(`meta-webhook-${key}`).describe()).type).toBe('processMetaWebhook');
    }
  });
});
