// End to end through the HTTP API, on the Temporal dev server with the real worker: two tenants,
// each with its own Instagram credentials (in the fake Graph API, with different tokens and media)
// and its own custom WhatsApp provider (two fake providers with different API keys). Everything a
// tenant sets up goes through the API; everything asserted is what the API answers and what the
// fakes received. CLAIM_VERIFY_DELAY is 500ms, so a claim settles in about a second.
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { startFakeMeta, type FakeMeta } from '../fakes/fake-meta.js';
import { startFakeWhatsappProvider, type FakeWhatsappProvider } from '../fakes/fake-whatsapp-provider.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { fakeMetaEnv, instagramWebhookPage, webhooksSubscribed } from '../support/factories.js';
import { startFakeHttpServer, type FakeHttpServer } from '../support/fake-http-server.js';
import { startTenantEventSweeper } from '../../src/tenant-events/event-starter.js';
import { eventually } from '../support/eventually.js';

let fakeMeta: FakeMeta;
let providerA: FakeWhatsappProvider;
let providerB: FakeWhatsappProvider;
let system: TestSystem;
/** Tenant A's events webhook receiver: its signed event deliveries run as workflows the last test scans too. */
let eventsReceiver: FakeHttpServer;
let eventSweeper: { stop(): void } | undefined;
const EVENTS_SECRET = 'events-webhook-secret-of-tenant-a';
let A: TenantSetup;
let B: TenantSetup;
/** Every log line the API and the worker printed during this suite (scanned by the last test). */
const logLines: string[] = [];
/** Secrets and personal data this suite plants; none may appear in a workflow history or a log line. */
const planted = new Set<string>();

interface TenantSetup {
  readonly id: string;
  readonly adminToken: string;
  readonly igAccountId: string;
  readonly mediaId: string;
  /** The tenant's Instagram token, as Meta issued it */
  readonly igToken: string;
  readonly provider: FakeWhatsappProvider;
  readonly sender: string;
  readonly campaignId: string;
  readonly taskId: string;
  readonly taskTitle: string;
  readonly spinsReward: number;
}

beforeAll(async () => {
  fakeMeta = await startFakeMeta({ appSecret: 'claims-e2e-app-secret' });
  providerA = await startFakeWhatsappProvider({ apiKey: 'provider-key-of-tenant-a' });
  providerB = await startFakeWhatsappProvider({ apiKey: 'provider-key-of-tenant-b' });
  eventsReceiver = await startFakeHttpServer(() => ({ status: 200 }));
  system = await startTestSystem({
    logLines,
    env: {
      CLAIM_VERIFY_DELAY: '500ms',
      ...fakeMetaEnv(fakeMeta),
    },
  });
  A = await setUpTenant({
    slug: 'acme-e2e',
    igUsername: 'acme.store',
    provider: providerA,
    sender: 'Acme',
    taskTitle: 'Comment on our summer post',
    spinsReward: 5,
  });
  B = await setUpTenant({
    slug: 'globex-e2e',
    igUsername: 'globex.shop',
    provider: providerB,
    sender: 'Globex',
    taskTitle: 'Tell us your favourite flavour',
    spinsReward: 3,
  });
  planted.add(EVENTS_SECRET);
  const events = await system.request('PUT', '/api/v1/tenant/settings', {
    token: A.adminToken,
    body: { eventsWebhook: { url: `${eventsReceiver.url}/events`, secret: EVENTS_SECRET } },
  });
  expect(events.status).toBe(200);
  eventSweeper = startTenantEventSweeper(system.deps, { intervalMs: 200 });
}, 180_000);

afterAll(async () => {
  eventSweeper?.stop();
  await eventsReceiver?.close();
  await system?.stop();
  await providerA?.close();
  await providerB?.close();
  await fakeMeta?.close();
});

/** A tenant created and configured through the API only, with its own Instagram post and provider. */
async function setUpTenant(init: {
  slug: string;
  igUsername: string;
  provider: FakeWhatsappProvider;
  sender: string;
  taskTitle: string;
  spinsReward: number;
}): Promise<TenantSetup> {
  const created = await system.request('POST', '/api/v1/tenants', {
    token: tokens.platformAdmin(),
    body: { name: init.slug, slug: init.slug, timezone: 'America/Lima' },
  });
  expect(created.status).toBe(201);
  const adminToken = tokens.tenantAdmin(created.body.id);
  planted.add(adminToken).add(init.provider.apiKey);

  const igAccount = fakeMeta.addInstagramAccount({ username: init.igUsername });
  const media = fakeMeta.addInstagramMedia({ ownerId: igAccount.id, caption: `Comment to win (${init.slug})` });
  // The token may read this tenant's account and post only: any use on another tenant's post fails at Meta.
  const igToken = fakeMeta.addToken({ scopes: ['instagram_basic', 'instagram_manage_comments'], assets: [igAccount.id, media.id] }).token;
  planted.add(igToken);

  // A Page connected to the account: Meta delivers its comment webhooks, so a miss is NOT_FOUND.
  const webhookPage = instagramWebhookPage(fakeMeta, igAccount.id);
  planted.add(webhookPage.facebookToken);
  const settings = await system.request('PUT', '/api/v1/tenant/settings', {
    token: adminToken,
    body: {
      metaConfig: { instagramAccountId: igAccount.id, instagramToken: igToken, ...webhookPage },
      waConfig: { apiUrl: init.provider.sendUrl, apiKey: init.provider.apiKey, sender: init.sender },
    },
  });
  expect(settings.status).toBe(200);
  await webhooksSubscribed(system, adminToken);
  expect(settings.text).not.toContain(igToken);
  expect(settings.text).not.toContain(init.provider.apiKey);
  expect(settings.body.metaConfig.instagramToken).toMatchObject({ configured: true });

  // start == end: the notification window is always open.
  const campaign = await system.request('POST', '/api/v1/campaigns', {
    token: adminToken,
    body: { name: `${init.slug} summer`, notificationStartHour: 6, notificationEndHour: 6 },
  });
  expect(campaign.status).toBe(201);
  const task = await system.request('POST', `/api/v1/campaigns/${campaign.body.id}/tasks`, {
    token: adminToken,
    body: {
      title: init.taskTitle,
      platform: 'INSTAGRAM',
      actionType: 'COMMENT',
      targetId: media.id,
      spinsReward: init.spinsReward,
      verificationStrategy: 'META_API',
      // If Meta were not asked (or not answered), the claim would wait for a review and never settle here.
      fallbackStrategy: 'MANUAL',
    },
  });
  expect(task.status).toBe(201);
  return {
    id: created.body.id,
    adminToken,
    igAccountId: igAccount.id,
    mediaId: media.id,
    igToken,
    provider: init.provider,
    sender: init.sender,
    campaignId: campaign.body.id,
    taskId: task.body.id,
    taskTitle: init.taskTitle,
    spinsReward: init.spinsReward,
  };
}

interface EndUser {
  readonly id: string;
  readonly name: string;
  readonly phoneDigits: string;
  /** The session token the tenant's campaign site would hold */
  readonly token: string;
  readonly tenant: TenantSetup;
}

let phoneCounter = 0;
async function newEndUser(tenant: TenantSetup, name: string): Promise<EndUser> {
  phoneCounter += 1;
  const phone = `+5198700${String(phoneCounter).padStart(4, '0')}`;
  const created = await system.request('POST', '/api/v1/end-users', {
    token: tenant.adminToken,
    body: { name, phone, whatsappOptIn: { source: 'test-fixture' } },
  });
  expect(created.status).toBe(201);
  const session = await system.request('POST', `/api/v1/end-users/${created.body.id}/session`, { token: tenant.adminToken });
  expect(session.status).toBe(201);
  expect(session.body.token).toEqual(expect.any(String));
  planted.add(phone).add(phone.slice(1)).add(session.body.token);
  return { id: created.body.id, name, phoneDigits: phone.slice(1), token: session.body.token, tenant };
}

const claim = (user: EndUser, taskId: string, handle?: string) =>
  system.request('POST', `/api/v1/tasks/${taskId}/claims`, { token: user.token, body: handle === undefined ? {} : { handle } });

/**
 * Polls the claim until `done` holds (real time, generous timeout); answers the tenant admin's view,
 * which keeps Meta's detail and the provider's message id (the end user's view has neither).
 */
async function settle(user: EndUser, claimId: string, done: (view: any) => boolean, timeoutMs = 120_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    expect((await system.request('GET', `/api/v1/claims/${claimId}`, { token: user.token })).status).toBe(200);
    const response = await system.request('GET', `/api/v1/completions/${claimId}`, { token: user.tenant.adminToken });
    expect(response.status).toBe(200);
    if (done(response.body)) return response.body;
    if (Date.now() > deadline) throw new Error(`claim ${claimId} did not settle; last view: ${JSON.stringify(response.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const verifiedAndSent = (view: any) => view.status === 'VERIFIED' && view.notification.status === 'SENT';
const failed = (view: any) => view.status === 'FAILED';

async function spinsBalance(user: EndUser): Promise<number> {
  const response = await system.request('GET', `/api/v1/end-users/${user.id}`, { token: user.tenant.adminToken });
  expect(response.status).toBe(200);
  return response.body.spinsBalance;
}

/** Executions with this workflow id, once visibility shows the (finished) run. */
async function executionsOf(workflowId: string): Promise<WorkflowExecutionInfo[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const executions: WorkflowExecutionInfo[] = [];
    for await (const execution of system.deps.temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` })) executions.push(execution);
    if (executions.some((execution) => execution.status.name !== 'RUNNING') || Date.now() > deadline) return executions;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const readsOf = (mediaId: string) => fakeMeta.graphRequests({ method: 'GET', path: `/${mediaId}/comments` });
const sentTo = (user: EndUser) => user.tenant.provider.sent.filter((message) => message.number === user.phoneDigits);

test("each tenant's claim is verified with its own Instagram token and notified through its own provider, never the other's", async () => {
  const ana = await newEndUser(A, 'Ana Cruz');
  const bo = await newEndUser(B, 'Bo Lee');
  const anaComment = fakeMeta.addInstagramComment(A.mediaId, { username: 'ana.cruz', text: 'Quiero ganar!' });
  const boComment = fakeMeta.addInstagramComment(B.mediaId, { username: 'bo.lee', text: 'Mango' });
  // Each user also commented on the other tenant's post: verifying against the wrong tenant's media would still "work".
  fakeMeta.addInstagramComment(B.mediaId, { username: 'ana.cruz' });
  fakeMeta.addInstagramComment(A.mediaId, { username: 'bo.lee' });

  const [claimA, claimB] = await Promise.all([claim(ana, A.taskId, '@Ana.Cruz'), claim(bo, B.taskId, ' @BO.LEE ')]);
  expect(claimA.status).toBe(202);
  expect(claimB.status).toBe(202);
  expect(claimA.body).toEqual({ completionId: expect.any(String), status: 'PENDING', workflowId: `claim-${claimA.body.completionId}` });
  const [viewA, viewB] = await Promise.all([
    settle(ana, claimA.body.completionId, verifiedAndSent),
    settle(bo, claimB.body.completionId, verifiedAndSent),
  ]);

  for (const [view, user, tenant] of [
    [viewA, ana, A],
    [viewB, bo, B],
  ] as const) {
    expect(view).toMatchObject({
      taskId: tenant.taskId,
      campaignId: tenant.campaignId,
      userId: user.id,
      status: 'VERIFIED',
      verificationMethod: 'TENANT_META_API',
      detail: "Verified with the tenant's Meta credentials",
      spinsAwarded: tenant.spinsReward,
      notification: {
        status: 'SENT',
        channel: 'TENANT_PROVIDER',
        providerMessageId: expect.stringMatching(/^msg-/),
        sentAt: expect.any(String),
        error: null,
      },
    });
    expect(view.verifiedAt).toEqual(expect.any(String));
  }
  // The evidence is the comment found on the tenant's own post.
  const rowA = await system.deps.db.claim.findUniqueOrThrow({ where: { id: claimA.body.completionId } });
  const rowB = await system.deps.db.claim.findUniqueOrThrow({ where: { id: claimB.body.completionId } });
  expect(rowA.evidence).toMatchObject({ source: 'instagram_comments', mediaId: A.mediaId, commentId: anaComment.id, username: 'ana.cruz' });
  expect(rowB.evidence).toMatchObject({ source: 'instagram_comments', mediaId: B.mediaId, commentId: boComment.id, username: 'bo.lee' });

  // Meta was asked about A's post with A's token only, and about B's post with B's token only.
  for (const tenant of [A, B]) {
    const reads = readsOf(tenant.mediaId);
    expect(reads.length).toBeGreaterThanOrEqual(1);
    for (const read of reads) {
      expect(read.headers.authorization).toBe(`Bearer ${tenant.igToken}`);
      expect(read.accessToken).toBe(tenant.igToken);
      expect(read.appsecretProof).toBe(fakeMeta.proofFor(tenant.igToken));
    }
  }
  const usedA = fakeMeta.graphRequests().filter((request) => request.accessToken === A.igToken);
  const usedB = fakeMeta.graphRequests().filter((request) => request.accessToken === B.igToken);
  // (`GET /{media}` itself is the check of the task's target when it was created; `GET /{comment}`
  // confirms the comment found still stands before it verifies the claim.)
  const onOwnMedia = (path: string, mediaId: string, commentId: string) =>
    path === `/${mediaId}` || path.startsWith(`/${mediaId}/`) || path === `/${commentId}`;
  expect(usedA.every((request) => onOwnMedia(request.path, A.mediaId, anaComment.id))).toBe(true);
  expect(usedB.every((request) => onOwnMedia(request.path, B.mediaId, boComment.id))).toBe(true);

  // Each provider got exactly its own tenant's message, with its own key, and nothing of the other's.
  for (const [user, other, tenant] of [
    [ana, bo, A],
    [bo, ana, B],
  ] as const) {
    const [message, ...more] = sentTo(user);
    expect(more).toHaveLength(0);
    expect(message!.sender).toBe(tenant.sender);
    expect(message!.message).toContain(user.name);
    expect(message!.message).toContain(tenant.taskTitle);
    expect(message!.message).toContain(`${tenant.spinsReward} spins`);
    expect(message!.message).toContain(`https://campaigns.example.test/campaigns/${tenant.campaignId}`);
    expect(tenant.provider.sent.some((sent) => sent.number === other.phoneDigits)).toBe(false);
    expect(tenant.provider.requests.every((request) => request.headers.authorization === `Bearer ${tenant.provider.apiKey}`)).toBe(true);
    expect(tenant.provider.requests).toHaveLength(tenant.provider.sent.length); // nothing was refused
  }
  expect(viewA.notification.providerMessageId).toBe(sentTo(ana)[0]!.id);
  expect(viewB.notification.providerMessageId).toBe(sentTo(bo)[0]!.id);

  expect(await spinsBalance(ana)).toBe(A.spinsReward);
  expect(await spinsBalance(bo)).toBe(B.spinsReward);

  // Secrets stay out of Temporal: no token or API key in any input, result or attribute of the history.
  for (const workflowId of [claimA.body.workflowId, claimB.body.workflowId]) {
    const history = textOf(await system.deps.temporal.workflow.getHandle(workflowId).fetchHistory()).join('\n');
    expect(history).toContain(workflowId.replace(/^claim-/, '')); // the payloads were decoded
    for (const secret of [A.igToken, B.igToken, providerA.apiKey, providerB.apiKey]) expect(history).not.toContain(secret);
  }
});

/** Every string in a history, payload bytes decoded as UTF-8. */
function textOf(value: unknown, out: string[] = []): string[] {
  if (value instanceof Uint8Array) out.push(Buffer.from(value).toString('utf8'));
  else if (typeof value === 'string') out.push(value);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) textOf(item, out);
  return out;
}

test('a duplicate claim answers 200 with the same completion and starts no second workflow; the reward is credited once', async () => {
  const user = await newEndUser(A, 'Dora Dup');
  fakeMeta.addInstagramComment(A.mediaId, { username: 'dora.dup' });

  const first = await claim(user, A.taskId, 'dora.dup');
  expect(first.status).toBe(202);
  const whileRunning = await claim(user, A.taskId, '@someone.else');
  expect(whileRunning.status).toBe(200);
  expect(whileRunning.body).toEqual(first.body);

  const view = await settle(user, first.body.completionId, verifiedAndSent);
  expect(view.handle).toBe('dora.dup');
  const afterwards = await claim(user, A.taskId, 'dora.dup');
  expect(afterwards.status).toBe(200);
  expect(afterwards.body).toMatchObject({ completionId: first.body.completionId, workflowId: first.body.workflowId });

  const executions = await executionsOf(first.body.workflowId);
  expect(executions).toHaveLength(1);
  expect(executions[0]!.type).toBe('verifySocialTaskClaim');
  expect(executions[0]!.status.name).toBe('COMPLETED');
  const history = await system.deps.temporal.workflow.getHandle(first.body.workflowId).fetchHistory();
  expect((history.events ?? []).filter((event) => event.workflowExecutionStartedEventAttributes)).toHaveLength(1);

  expect(await system.deps.db.claim.count({ where: { userId: user.id } })).toBe(1);
  expect(await system.deps.db.spinCredit.count({ where: { userId: user.id } })).toBe(1);
  expect(await spinsBalance(user)).toBe(A.spinsReward);
  expect(sentTo(user)).toHaveLength(1);
});

test("another tenant's end user cannot claim the task, and another tenant's admin cannot see the completion (404)", async () => {
  const ana = await newEndUser(A, 'Ana Owner');
  fakeMeta.addInstagramComment(A.mediaId, { username: 'ana.owner' });
  const own = await claim(ana, A.taskId, 'ana.owner');
  expect(own.status).toBe(202);
  const claimId: string = own.body.completionId;

  const intruder = await newEndUser(B, 'Bruno Intruder');
  const foreignClaim = await claim(intruder, A.taskId, 'ana.owner');
  expect(foreignClaim.status).toBe(404);
  expect(foreignClaim.body.error.code).toBe('NOT_FOUND');
  expect(await system.deps.db.claim.count({ where: { userId: intruder.id } })).toBe(0);

  const foreignAdminView = await system.request('GET', `/api/v1/completions/${claimId}`, { token: B.adminToken });
  expect(foreignAdminView.status).toBe(404);
  expect(foreignAdminView.text).not.toContain(ana.id);
  expect((await system.request('GET', `/api/v1/claims/${claimId}`, { token: intruder.token })).status).toBe(404);
  expect((await system.request('GET', `/api/v1/end-users/${ana.id}`, { token: B.adminToken })).status).toBe(404);
  const listedToB = await system.request('GET', `/api/v1/completions?campaignId=${A.campaignId}`, { token: B.adminToken });
  expect(JSON.stringify(listedToB.body)).not.toContain(claimId);

  // The owner's admin sees it; the claim itself runs its normal course.
  const ownerView = await system.request('GET', `/api/v1/completions/${claimId}`, { token: A.adminToken });
  expect(ownerView.status).toBe(200);
  expect(ownerView.body.id).toBe(claimId);
  await settle(ana, claimId, verifiedAndSent);
  expect(sentTo(intruder)).toHaveLength(0);
});

test('a claim whose comment is not on the post fails with a detail, credits nothing and sends nothing', async () => {
  const user = await newEndUser(A, 'Carl Nocomment');
  const before = readsOf(A.mediaId).length;
  const response = await claim(user, A.taskId, '@Carl.Nocomment');
  expect(response.status).toBe(202);

  const view = await settle(user, response.body.completionId, failed);
  expect(view).toMatchObject({ status: 'FAILED', verificationMethod: 'TENANT_META_API', spinsAwarded: 0, notification: { status: 'SKIPPED' } });
  expect(view.detail).toMatch(/No comment by @carl\.nocomment/);
  expect(view.detail).toContain(A.mediaId);
  expect(readsOf(A.mediaId).length).toBeGreaterThan(before);
  expect(await spinsBalance(user)).toBe(0);
  expect(sentTo(user)).toHaveLength(0);
});

test('an Instagram FOLLOW task goes to its fallback strategy, and the detail says the API cannot check follows', async () => {
  const task = await system.request('POST', `/api/v1/campaigns/${A.campaignId}/tasks`, {
    token: A.adminToken,
    body: {
      title: 'Follow @acme.store',
      platform: 'INSTAGRAM',
      actionType: 'FOLLOW',
      targetUrl: 'https://www.instagram.com/acme.store/',
      spinsReward: 2,
      verificationStrategy: 'META_API',
      fallbackStrategy: 'HONOR_SYSTEM',
    },
  });
  expect(task.status).toBe(201);
  const user = await newEndUser(A, 'Fiona Follower');
  const metaRequestsBefore = fakeMeta.requests.length;

  const response = await claim(user, task.body.id, '@fiona.follows');
  expect(response.status).toBe(202);
  const view = await settle(user, response.body.completionId, verifiedAndSent);
  expect(view).toMatchObject({
    status: 'VERIFIED',
    verificationMethod: 'HONOR_SYSTEM',
    spinsAwarded: 2,
    notification: { channel: 'TENANT_PROVIDER' },
  });
  expect(view.detail).toMatch(/no follower list/i);
  expect(view.detail).toMatch(/honor system/i);
  // Nothing was asked of Meta: there is no endpoint that could answer.
  expect(fakeMeta.requests.length).toBe(metaRequestsBefore);
  expect(await spinsBalance(user)).toBe(2);
  expect(sentTo(user)).toHaveLength(1);
});

// Last in this file, so it sees everything the suite did: secrets and phone numbers stay out of
// Temporal (inputs, results, memos, search attributes, failures) and out of the logs.
test('no planted secret or phone number in any workflow history or log line of this suite', async () => {
  const { config } = system;
  for (const secret of [fakeMeta.appSecret, config.jwtSecret, config.tokenEncryptionKey.toString('base64'), tokens.platformAdmin()])
    planted.add(secret);
  expect(planted.size).toBeGreaterThan(10);
  expect(logLines.length).toBeGreaterThan(0);

  // Tenant A's claims produced events, delivered by their own workflows: those histories are scanned too.
  await eventually(
    async () => (await system.deps.db.tenantEvent.count({ where: { tenantId: A.id, status: 'DELIVERED' } })) > 0,
    'an event delivered',
  );
  const client = system.temporalEnv.client;
  const histories: string[] = [];
  for await (const execution of client.workflow.list()) {
    const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    histories.push(textOf(history).join('\n'));
  }
  expect(histories.length).toBeGreaterThanOrEqual(5);
  expect(histories.some((history) => history.includes('verifySocialTaskClaim'))).toBe(true);
  expect(histories.some((history) => history.includes('deliverTenantEvent'))).toBe(true);

  const hits: string[] = [];
  for (const secret of planted) {
    for (const [index, history] of histories.entries()) if (history.includes(secret)) hits.push(`history #${index}: ${secret.slice(0, 12)}…`);
    for (const [index, line] of logLines.entries()) if (line.includes(secret)) hits.push(`log line #${index}: ${secret.slice(0, 12)}…`);
  }
  expect(hits).toEqual([]);
});
