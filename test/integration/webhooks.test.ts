// The Meta webhook endpoint against the real app, Postgres, Temporal dev server and worker:
// handshake, signature checks over raw bytes, persist-then-ack with deduplication, Temporal
// outages covered by the sweeper, and the tenant admin's list of their own deliveries.
import { Client, Connection } from '@temporalio/client';
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { startUnprocessedWebhooks, startWebhookWorkflow } from '../../src/temporal/webhook-starter.js';
import { webhookWorkflowId } from '../../workflows/definitions.js';
import { createApp } from '../../src/http/app.js';
import { dedupeKeyOf, deliver, fixture, IDS, newWamid, postWebhook, sign, unixSeconds, waitForProcessed } from '../fixtures/meta-webhooks/helpers.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { seedAccount, seedEndUser, seedTenant } from '../support/factories.js';

let system: TestSystem;
let tenantA: { id: string };
let tenantB: { id: string };

beforeAll(async () => {
  system = await startTestSystem();
  const { db } = system.deps;
  tenantA = await seedTenant(db);
  tenantB = await seedTenant(db);
  await seedAccount(db, system.deps.secrets, {
    tenantId: tenantA.id,
    wabaId: IDS.wabaA,
    phoneNumberId: IDS.phoneNumberIdA,
    displayPhoneNumber: '+1 555-078-3881',
  });
  await seedAccount(db, system.deps.secrets, {
    tenantId: tenantB.id,
    wabaId: IDS.wabaB,
    phoneNumberId: IDS.phoneNumberIdB,
    displayPhoneNumber: '+1 555-000-1111',
  });
  await seedEndUser(db, tenantA.id, `+${IDS.senderWaId}`);
  await seedEndUser(db, tenantB.id, `+${IDS.senderWaId}`);
});

afterAll(async () => {
  await system?.stop();
});

const eventCount = () => system.deps.db.webhookEvent.count();
/** A status delivery with its own wamid, so each test has its own bytes and rows. */
const freshStatus = () => fixture('status-delivered', { [IDS.wamid]: newWamid() });

describe('GET /webhooks/meta (subscription handshake)', () => {
  test('echoes hub.challenge as plain text when the verify token matches', async () => {
    const response = await system.request('GET', '/webhooks/meta?hub.mode=subscribe&hub.verify_token=test-verify-token&hub.challenge=1158201444');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(response.text).toBe('1158201444');
  });

  test.each([
    ['a wrong token', 'hub.mode=subscribe&hub.verify_token=wrong-token&hub.challenge=1158201444'],
    ['a token differing only in length', 'hub.mode=subscribe&hub.verify_token=test-verify-token-x&hub.challenge=1158201444'],
    ['no token', 'hub.mode=subscribe&hub.challenge=1158201444'],
    ['another mode', 'hub.mode=unsubscribe&hub.verify_token=test-verify-token&hub.challenge=1158201444'],
    ['a repeated token parameter', 'hub.mode=subscribe&hub.verify_token=test-verify-token&hub.verify_token=test-verify-token&hub.challenge=1'],
  ])('is 403 for %s', async (_name, query) => {
    const response = await system.request('GET', `/webhooks/meta?${query}`);
    expect(response.status).toBe(403);
    expect(response.text).not.toContain('1158201444');
  });
});

describe('POST /webhooks/meta signatures', () => {
  const body = fixture('status-delivered', { [IDS.wamid]: 'wamid.signature-tests' });
  const hmacHex = (data: string, algorithm = 'sha256', secret = 'test-app-secret') => createHmac(algorithm, secret).update(data).digest('hex');

  test.each<[string, Record<string, string>]>([
    ['a missing header', {}],
    ['a sha1 signature', { 'x-hub-signature-256': `sha1=${hmacHex(body, 'sha1')}` }],
    ['an upper-case prefix', { 'x-hub-signature-256': `SHA256=${hmacHex(body)}` }],
    ['no prefix', { 'x-hub-signature-256': hmacHex(body) }],
    ['a truncated digest', { 'x-hub-signature-256': `sha256=${hmacHex(body).slice(0, 62)}` }],
    ['a digest one byte too long', { 'x-hub-signature-256': `sha256=${hmacHex(body)}00` }],
    ['a digest that is not hex', { 'x-hub-signature-256': `sha256=${'zz'.repeat(32)}` }],
    ['the signature of the re-serialized body', { 'x-hub-signature-256': sign(JSON.stringify(JSON.parse(body))) }],
    ['another app secret', { 'x-hub-signature-256': `sha256=${hmacHex(body, 'sha256', 'another-secret')}` }],
    ['an empty header', { 'x-hub-signature-256': '' }],
  ])('is 401 with %s, and nothing is stored', async (_name, headers) => {
    const before = await eventCount();
    const response = await postWebhook(system, body, headers);
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('INVALID_SIGNATURE');
    expect(await eventCount()).toBe(before);
  });

  test('a body over the size limit is 413 and not stored', async () => {
    const before = await eventCount();
    const huge = JSON.stringify({ object: 'whatsapp_business_account', entry: [], padding: 'x'.repeat(5 * 1024 * 1024) });
    const response = await postWebhook(system, huge);
    expect(response.status).toBe(413);
    expect(await eventCount()).toBe(before);
  });

  test('a signed body that is not JSON is 400, kept for operators, and not processed', async () => {
    const garbage = '{"object": "whatsapp_business_account", "entry": [';
    const response = await postWebhook(system, garbage);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('INVALID_JSON');
    const row = await system.deps.db.webhookEvent.findUniqueOrThrow({ where: { dedupeKey: dedupeKeyOf(garbage) } });
    expect(row.processedAt).not.toBeNull();
    expect(row.processingError).toMatch(/not valid JSON/);
    expect(row.payload).toMatchObject({ unparsable: true, bodyBase64: Buffer.from(garbage).toString('base64') });
    await expect(system.temporalEnv.client.workflow.getHandle(webhookWorkflowId(row.dedupeKey)).describe()).rejects.toThrow();
    // Meta's retry of the same bytes finds the same row.
    expect((await postWebhook(system, garbage)).status).toBe(400);
    expect(await system.deps.db.webhookEvent.count({ where: { dedupeKey: dedupeKeyOf(garbage) } })).toBe(1);
  });
});

describe('POST /webhooks/meta deliveries', () => {
  test('a valid delivery is stored with the sha256 of its bytes, acknowledged, and processed in Temporal', async () => {
    const body = freshStatus();
    const response = await postWebhook(system, body);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ received: true, duplicate: false });
    const event = await waitForProcessed(system.deps.db, body);
    expect(event).toMatchObject({ dedupeKey: dedupeKeyOf(body), object: 'whatsapp_business_account', processingError: null });
    expect(event.payload).toEqual(JSON.parse(body));
    // processedAt is written by the workflow's last activity; the run closes right after.
    const handle = system.temporalEnv.client.workflow.getHandle(webhookWorkflowId(event.dedupeKey));
    expect(await handle.result()).toEqual(event.result);
    const run = await handle.describe();
    expect(run.type).toBe('processMetaWebhook');
    expect(run.status.name).toBe('COMPLETED');
  });

  test('the same bytes delivered twice, and five times concurrently, make one row and one workflow run', async () => {
    const { db } = system.deps;
    const body = freshStatus();
    const first = await postWebhook(system, body);
    const second = await postWebhook(system, body);
    expect([first.body.duplicate, second.body.duplicate]).toEqual([false, true]);

    const concurrentBody = freshStatus();
    const responses = await Promise.all(Array.from({ length: 5 }, () => postWebhook(system, concurrentBody)));
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
    expect(responses.filter((response) => response.body.duplicate === false)).toHaveLength(1);

    for (const delivered of [body, concurrentBody]) {
      const key = dedupeKeyOf(delivered);
      await waitForProcessed(db, delivered);
      await system.temporalEnv.client.workflow.getHandle(webhookWorkflowId(key)).result();
      expect(await db.webhookEvent.count({ where: { dedupeKey: key } })).toBe(1);
      const wamid = (JSON.parse(delivered) as { entry: { changes: { value: { statuses: { id: string }[] } }[] }[] }).entry[0]!.changes[0]!.value
        .statuses[0]!.id;
      expect(await db.messageStatusEvent.count({ where: { providerMessageId: wamid } })).toBe(1);
      expect(await runsOf(webhookWorkflowId(key))).toBe(1);
      // A later retry by Meta cannot run it again (REJECT_DUPLICATE on the finished run).
      const event = await db.webhookEvent.findUniqueOrThrow({ where: { dedupeKey: key } });
      expect(await startWebhookWorkflow(system.deps, { id: event.id, dedupeKey: key })).toBe('closed');
    }
  });

  test.each([
    ['an Instagram comment on media no comment index watches', 'instagram-comment', 'instagram', /no comment index watches 123123123/],
    [
      'a template status update for a template no campaign sends',
      'template-status-update',
      'whatsapp_business_account',
      /message_template_status_update APPROVED: no campaign sends template order_confirmation/,
    ],
  ])('%s is stored and acknowledged, and recorded as ignored', async (_name, name, object, detail) => {
    const body = fixture(name);
    const response = await postWebhook(system, body);
    expect(response.status).toBe(200);
    const event = await waitForProcessed(system.deps.db, body);
    expect(event.object).toBe(object);
    expect(event.tenantId).toBeNull();
    expect(event.result).toMatchObject({ ignored: 1, unmatchedTotal: 0, tenantIds: [] });
    const handle = system.temporalEnv.client.workflow.getHandle(webhookWorkflowId(event.dedupeKey));
    expect(await handle.result()).toEqual(event.result);
    // Only the id crosses into Temporal; the payload (users' texts) stays in the database.
    const { workflowInput, activityResults } = await historyOf(event.dedupeKey);
    expect(workflowInput).toEqual([{ webhookEventId: event.id }]);
    expect(JSON.stringify(activityResults)).not.toContain('This is an example.');
    expect(JSON.stringify(activityResults)).toMatch(detail);
  });

  test('when Temporal is unreachable the delivery is still acknowledged, and the sweeper processes it later', async () => {
    const unreachable = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }), namespace: 'default' });
    const server: Server = await new Promise((resolve) => {
      const listening = createApp({ ...system.deps, temporal: unreachable }).listen(0, '127.0.0.1', () => resolve(listening));
    });
    try {
      const body = freshStatus();
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/meta`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body) },
        body,
      });
      expect(response.status).toBe(200);
      const stored = await system.deps.db.webhookEvent.findUniqueOrThrow({ where: { dedupeKey: dedupeKeyOf(body) } });
      expect(stored.processedAt).toBeNull();

      // Not yet past the grace period: left alone.
      expect(await startUnprocessedWebhooks(system.deps, { graceMs: 60 * 60_000 })).toBe(0);
      expect(await startUnprocessedWebhooks(system.deps, { graceMs: 0 })).toBeGreaterThanOrEqual(1);
      const processed = await waitForProcessed(system.deps.db, body);
      expect(processed.processingError).toBeNull();
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await unreachable.connection.close().catch(() => undefined);
    }
  });
});

describe('GET /api/v1/webhooks/events', () => {
  let twoTenantsEventId: string;

  beforeAll(async () => {
    const now = new Date();
    const body = fixture('two-tenants', { '1750264000': unixSeconds(now), '1750264100': unixSeconds(now), '1750264101': unixSeconds(now) });
    twoTenantsEventId = (await deliver(system, body)).id;
  });

  test("a tenant admin sees the deliveries that concerned their tenant, with only their tenant's part", async () => {
    const listA = await system.request('GET', '/api/v1/webhooks/events', { token: tokens.tenantAdmin(tenantA.id) });
    expect(listA.status).toBe(200);
    const itemA = listA.body.items.find((item: { id: string }) => item.id === twoTenantsEventId);
    expect(itemA).toMatchObject({ object: 'whatsapp_business_account', summary: { inboundRecorded: 1, unmatchedTotal: 0, unmatched: [] } });
    expect(itemA).not.toHaveProperty('payload');
    expect(JSON.stringify(listA.body)).not.toContain(tenantB.id);
    expect(JSON.stringify(listA.body)).not.toContain('…7777');

    const listB = await system.request('GET', '/api/v1/webhooks/events', { token: tokens.tenantAdmin(tenantB.id) });
    const itemB = listB.body.items.find((item: { id: string }) => item.id === twoTenantsEventId);
    expect(itemB.summary).toMatchObject({ inboundRecorded: 1, unmatchedTotal: 1 });
    expect(itemB.summary.unmatched).toEqual([
      expect.objectContaining({ kind: 'inbound', ref: '…7777', reason: 'no end user of the receiving tenant has this phone number' }),
    ]);
    expect(JSON.stringify(listB.body)).not.toContain(tenantA.id);
  });

  test('?unmatched=true lists only deliveries with unmatched items of the tenant', async () => {
    const unmatchedA = await system.request('GET', '/api/v1/webhooks/events?unmatched=true', { token: tokens.tenantAdmin(tenantA.id) });
    expect(unmatchedA.body.items.map((item: { id: string }) => item.id)).not.toContain(twoTenantsEventId);
    const unmatchedB = await system.request('GET', '/api/v1/webhooks/events?unmatched=true', { token: tokens.tenantAdmin(tenantB.id) });
    expect(unmatchedB.body.items.map((item: { id: string }) => item.id)).toContain(twoTenantsEventId);
  });

  test("?unmatched=true reads an indexed column of the tenants with unmatched items, not every tenant's results", async () => {
    const row = await system.deps.db.webhookEvent.findUniqueOrThrow({ where: { id: twoTenantsEventId } });
    expect(row.unmatchedTenantIds).toEqual([tenantB.id]);
    // The filter the listing runs, as PostgreSQL plans it with scans of the whole table ruled out.
    const plan = await system.deps.db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe('SET LOCAL enable_seqscan = off');
      return tx.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(
        'EXPLAIN SELECT "id" FROM "WebhookEvent" WHERE "unmatchedTenantIds" @> ARRAY[$1]::text[] AND "processedAt" IS NOT NULL ORDER BY "receivedAt" DESC LIMIT 21',
        tenantB.id,
      );
    });
    expect(plan.map((line) => line['QUERY PLAN']).join('\n')).toContain('WebhookEvent_unmatchedTenantIds_idx');
  });

  test('another tenant sees nothing; other roles and anonymous callers are refused', async () => {
    const other = await seedTenant(system.deps.db);
    const list = await system.request('GET', `/api/v1/webhooks/events?tenantId=${tenantA.id}`, { token: tokens.tenantAdmin(other.id) });
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ items: [], nextCursor: null });
    expect((await system.request('GET', '/api/v1/webhooks/events', { token: tokens.endUser(tenantA.id, 'someone') })).status).toBe(403);
    expect((await system.request('GET', '/api/v1/webhooks/events')).status).toBe(401);
  });

  test('pages with an opaque cursor; a forged cursor is 422', async () => {
    const first = await system.request('GET', '/api/v1/webhooks/events?limit=1', { token: tokens.tenantAdmin(tenantA.id) });
    expect(first.body.items).toHaveLength(1);
    if (first.body.nextCursor) {
      const second = await system.request('GET', `/api/v1/webhooks/events?limit=1&cursor=${first.body.nextCursor}`, {
        token: tokens.tenantAdmin(tenantA.id),
      });
      expect(second.body.items[0]?.id).not.toBe(first.body.items[0].id);
    }
    const forged = await system.request('GET', '/api/v1/webhooks/events?cursor=not-a-cursor', { token: tokens.tenantAdmin(tenantA.id) });
    expect(forged.status).toBe(422);
  });
});

/** The workflow input and activity results recorded in a webhook workflow's history. */
async function historyOf(dedupeKey: string): Promise<{ workflowInput: unknown[]; activityResults: unknown[] }> {
  const history = await system.temporalEnv.client.workflow.getHandle(webhookWorkflowId(dedupeKey)).fetchHistory();
  const { defaultPayloadConverter } = await import('@temporalio/common');
  const decode = (payloads: unknown[] | null | undefined) => (payloads ?? []).map((payload) => defaultPayloadConverter.fromPayload(payload as never));
  const events = history.events ?? [];
  return {
    workflowInput: decode(events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads),
    activityResults: events.flatMap((event) => decode(event.activityTaskCompletedEventAttributes?.result?.payloads)),
  };
}

/** Runs recorded for a workflow id (visibility is eventually consistent: wait for the first). */
async function runsOf(workflowId: string): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    let runs = 0;
    for await (const _run of system.temporalEnv.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs++;
    if (runs > 0 || attempt >= 100) return runs;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
