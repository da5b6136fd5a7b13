// Campaigns and their tasks (tenant_admin): validation, the notification-window fields, pagination,
// and that a PATCH asks the re-plan fan-out to reach the claims waiting for the window.
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { replanWorkflowId } from '../../workflows/replan-definitions.js';
import { createTwoTenants } from '../support/factories.js';

let system: TestSystem;
let tenantId: string;
let otherTenantId: string;
let admin: string;

beforeAll(async () => {
  // No worker: claim workflows exist but do not progress, so the rows stay as the tests set them.
  system = await startTestSystem({ worker: false });
  ({ tenantId, otherTenantId, admin } = await createTwoTenants(system, 'camp-a', 'camp-b'));
});

afterAll(async () => {
  await system?.stop();
});

async function insertWhatsappAccount(ownerTenantId: string, status: 'ACTIVE' | 'DISCONNECTED' = 'ACTIVE') {
  const suffix = Math.random().toString(36).slice(2);
  return system.deps.db.whatsappAccount.create({
    data: { tenantId: ownerTenantId, wabaId: `waba-${suffix}`, phoneNumberId: `pn-${suffix}`, status },
  });
}

async function createCampaign(body: object = { name: 'Summer' }) {
  const response = await system.request('POST', '/api/v1/campaigns', { token: admin, body });
  expect(response.status).toBe(201);
  return response.body;
}

const validTask = { title: 'Follow us', platform: 'INSTAGRAM', actionType: 'FOLLOW', spinsReward: 3 };

async function signalNames(workflowId: string): Promise<string[]> {
  const history = await system.deps.temporal.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const name = event.workflowExecutionSignaledEventAttributes?.signalName;
    return name ? [name] : [];
  });
}

describe('POST /api/v1/campaigns', () => {
  test('201 with the contract defaults; the row belongs to the token tenant', async () => {
    const campaign = await createCampaign({ name: '  Summer  ' });
    expect(campaign).toEqual({
      id: expect.any(String),
      name: 'Summer',
      timezone: null,
      notificationEnabled: true,
      notificationStartHour: 9,
      notificationEndHour: 21,
      whatsappAccountId: null,
      notificationTemplate: null,
      endsAt: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      // No Cloud API account sends it: nothing to warn about.
      warnings: [],
    });
    const row = await system.deps.db.campaign.findUniqueOrThrow({ where: { id: campaign.id } });
    expect(row.tenantId).toBe(tenantId);
  });

  test('stores every window field, the template and the tenant’s own WhatsApp account', async () => {
    const account = await insertWhatsappAccount(tenantId);
    const campaign = await createCampaign({
      name: 'Night owls',
      timezone: 'America/Lima',
      notificationEnabled: false,
      notificationStartHour: 20,
      notificationEndHour: 8,
      whatsappAccountId: account.id,
      notificationTemplate: { name: 'spins_awarded', language: 'es_PE' },
      endsAt: '2030-01-31T23:59:59-05:00',
    });
    expect(campaign).toMatchObject({
      timezone: 'America/Lima',
      notificationEnabled: false,
      notificationStartHour: 20,
      notificationEndHour: 8,
      whatsappAccountId: account.id,
      notificationTemplate: { name: 'spins_awarded', language: 'es_PE' },
      endsAt: '2030-02-01T04:59:59.000Z',
    });
    const row = await system.deps.db.campaign.findUniqueOrThrow({ where: { id: campaign.id } });
    expect(row).toMatchObject({ notificationTemplateName: 'spins_awarded', notificationTemplateLanguage: 'es_PE' });
  });

  test('start == end (always open) is accepted', async () => {
    const campaign = await createCampaign({ name: 'Always', notificationStartHour: 0, notificationEndHour: 0 });
    expect(campaign).toMatchObject({ notificationStartHour: 0, notificationEndHour: 0 });
  });

  const invalid: [string, object, string][] = [
    ['a missing name', {}, 'name'],
    ['a blank name', { name: '   ' }, 'name'],
    ['hour 24', { name: 'x', notificationStartHour: 24 }, 'notificationStartHour'],
    ['a negative hour', { name: 'x', notificationEndHour: -1 }, 'notificationEndHour'],
    ['a fractional hour', { name: 'x', notificationStartHour: 9.5 }, 'notificationStartHour'],
    ['an hour as a string', { name: 'x', notificationStartHour: '9' }, 'notificationStartHour'],
    ['enabled as a string', { name: 'x', notificationEnabled: 'yes' }, 'notificationEnabled'],
    ['an unknown time zone', { name: 'x', timezone: 'Mars/Olympus_Mons' }, 'timezone'],
    ['an offset instead of a zone', { name: 'x', timezone: '+05:00' }, 'timezone'],
    ['a template without language', { name: 'x', notificationTemplate: { name: 'promo' } }, 'notificationTemplate.language'],
    ['a template name with spaces', { name: 'x', notificationTemplate: { name: 'My Promo', language: 'en' } }, 'notificationTemplate.name'],
    ['endsAt that is not a timestamp', { name: 'x', endsAt: 'next friday' }, 'endsAt'],
    ['a tenantId in the body', { name: 'x', tenantId: 'someone-else' }, ''],
  ];

  test.each(invalid)('%s → 422 with details, nothing written', async (_name, body, path) => {
    const before = await system.deps.db.campaign.count();
    const response = await system.request('POST', '/api/v1/campaigns', { token: admin, body });
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
    expect(response.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    expect(await system.deps.db.campaign.count()).toBe(before);
  });

  test('a WhatsApp account that is unknown, another tenant’s, or disconnected → 422', async () => {
    const foreign = await insertWhatsappAccount(otherTenantId);
    const disconnected = await insertWhatsappAccount(tenantId, 'DISCONNECTED');
    for (const whatsappAccountId of ['no-such-account', foreign.id, disconnected.id]) {
      const response = await system.request('POST', '/api/v1/campaigns', { token: admin, body: { name: 'x', whatsappAccountId } });
      expect(response.status).toBe(422);
      expect(response.body.error.details).toEqual([expect.objectContaining({ path: 'whatsappAccountId' })]);
    }
    expect(await system.deps.db.campaign.count({ where: { whatsappAccountId: { in: [foreign.id, disconnected.id] } } })).toBe(0);
  });
});

describe('GET /api/v1/campaigns', () => {
  test('newest first, paginated with an opaque cursor; a tenantId query parameter selects nothing', async () => {
    const other = tokens.tenantAdmin(otherTenantId);
    const foreign = await system.request('POST', '/api/v1/campaigns', { token: other, body: { name: 'Foreign' } });
    expect(foreign.status).toBe(201);

    const all = await system.request('GET', `/api/v1/campaigns?limit=100&tenantId=${otherTenantId}`, { token: admin });
    expect(all.status).toBe(200);
    const ids: string[] = all.body.items.map((item: { id: string }) => item.id);
    expect(ids).not.toContain(foreign.body.id);
    const rows = await system.deps.db.campaign.findMany({ where: { tenantId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
    expect(ids).toEqual(rows.map((row) => row.id));
    expect(all.body.nextCursor).toBeNull();

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
      const page = await system.request('GET', `/api/v1/campaigns${query}`, { token: admin });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((item: { id: string }) => item.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);
  });

  test.each([['limit=0'], ['limit=101'], ['limit=abc'], ['cursor=bogus'], ['limit=1&limit=2']])('?%s → 422', async (query) => {
    const response = await system.request('GET', `/api/v1/campaigns?${query}`, { token: admin });
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('GET|PATCH /api/v1/campaigns/:id', () => {
  test('GET returns the campaign; an unknown id is 404', async () => {
    const campaign = await createCampaign({ name: 'Readable' });
    const found = await system.request('GET', `/api/v1/campaigns/${campaign.id}`, { token: admin });
    expect(found.status).toBe(200);
    const { warnings: _warnings, ...stored } = campaign;
    expect(found.body).toEqual(stored);
    const missing = await system.request('GET', '/api/v1/campaigns/00000000-0000-0000-0000-000000000000', { token: admin });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
  });

  test('PATCH changes only the given fields; null clears template, zone, account and endsAt', async () => {
    const account = await insertWhatsappAccount(tenantId);
    const campaign = await createCampaign({
      name: 'Editable',
      timezone: 'Europe/Berlin',
      whatsappAccountId: account.id,
      notificationTemplate: { name: 'promo', language: 'de' },
      endsAt: '2031-01-01T00:00:00Z',
    });
    const hours = await system.request('PATCH', `/api/v1/campaigns/${campaign.id}`, {
      token: admin,
      body: { notificationStartHour: 22, notificationEndHour: 6 },
    });
    expect(hours.status).toBe(200);
    expect(hours.body).toMatchObject({
      name: 'Editable',
      timezone: 'Europe/Berlin',
      notificationStartHour: 22,
      notificationEndHour: 6,
      whatsappAccountId: account.id,
      notificationTemplate: { name: 'promo', language: 'de' },
    });

    const cleared = await system.request('PATCH', `/api/v1/campaigns/${campaign.id}`, {
      token: admin,
      body: { notificationTemplate: null, timezone: null, whatsappAccountId: null, endsAt: null },
    });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ timezone: null, whatsappAccountId: null, notificationTemplate: null, endsAt: null });
    const row = await system.deps.db.campaign.findUniqueOrThrow({ where: { id: campaign.id } });
    expect(row).toMatchObject({
      notificationTemplateName: null,
      notificationTemplateLanguage: null,
      timezone: null,
      notificationStartHour: 22,
      notificationEndHour: 6,
    });

    const empty = await system.request('PATCH', `/api/v1/campaigns/${campaign.id}`, { token: admin, body: {} });
    expect(empty.status).toBe(200);
    expect(empty.body).toMatchObject({ name: 'Editable', notificationStartHour: 22 });
  });

  test('PATCH validates like POST and writes nothing on failure', async () => {
    const campaign = await createCampaign({ name: 'Strict' });
    const before = await system.deps.db.campaign.findUniqueOrThrow({ where: { id: campaign.id } });
    const foreignAccount = await insertWhatsappAccount(otherTenantId);
    const bodies = [
      { notificationEndHour: 24 },
      { notificationStartHour: 7, notificationEndHour: 1.25 },
      { timezone: 'Not/AZone' },
      { name: '' },
      { whatsappAccountId: foreignAccount.id },
      { notificationTemplate: { name: 'ok', language: 'english please' } },
      { surprise: true },
    ];
    for (const body of bodies) {
      const response = await system.request('PATCH', `/api/v1/campaigns/${campaign.id}`, { token: admin, body });
      expect({ body, status: response.status }).toEqual({ body, status: 422 });
    }
    expect(await system.deps.db.campaign.findUniqueOrThrow({ where: { id: campaign.id } })).toEqual(before);
  });

  test('PATCH of an unknown campaign is 404', async () => {
    const response = await system.request('PATCH', '/api/v1/campaigns/nope', { token: admin, body: { name: 'x' } });
    expect(response.status).toBe(404);
  });

  test('a PATCH of notification settings asks the re-plan fan-out to tell the waiting claims, and only then', async () => {
    // The claims themselves are signalled by the fan-out workflow (test/integration/campaign-replan.test.ts
    // runs it with a worker); here, without a worker, its requests pile up in its history.
    const campaign = await createCampaign({ name: 'Waiting room' });
    const replanId = replanWorkflowId({ kind: 'campaign', tenantId, campaignId: campaign.id });
    const requests = async () => {
      try {
        return await signalNames(replanId);
      } catch {
        return [];
      }
    };

    const rename = await system.request('PATCH', `/api/v1/campaigns/${campaign.id}`, { token: admin, body: { name: 'Renamed' } });
    expect(rename.status).toBe(200);
    expect(await requests()).toEqual([]);

    const sameHours = await system.request('PATCH', `/api/v1/campaigns/${campaign.id}`, { token: admin, body: { notificationStartHour: 9 } });
    expect(sameHours.status).toBe(200);
    expect(await requests()).toEqual([]);

    const widen = await system.request('PATCH', `/api/v1/campaigns/${campaign.id}`, {
      token: admin,
      body: { notificationStartHour: 0, notificationEndHour: 0 },
    });
    expect(widen.status).toBe(200);
    expect(await requests()).toEqual(['replanRequested']);

    const template = await system.request('PATCH', `/api/v1/campaigns/${campaign.id}`, {
      token: admin,
      body: { notificationTemplate: { name: 'spins', language: 'es' } },
    });
    expect(template.status).toBe(200);
    expect(await requests()).toEqual(['replanRequested', 'replanRequested']);
  });
});

describe('POST|GET /api/v1/campaigns/:id/tasks', () => {
  test('201 with the contract defaults; the task stores the tenant', async () => {
    const campaign = await createCampaign({ name: 'Tasks' });
    const response = await system.request('POST', `/api/v1/campaigns/${campaign.id}/tasks`, {
      token: admin,
      body: { ...validTask, targetUrl: 'https://instagram.com/acme' },
    });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.any(String),
      campaignId: campaign.id,
      title: 'Follow us',
      platform: 'INSTAGRAM',
      actionType: 'FOLLOW',
      targetId: null,
      targetUrl: 'https://instagram.com/acme',
      spinsReward: 3,
      verificationStrategy: 'META_API',
      fallbackStrategy: 'STATISTICAL',
      statisticalApprovalRate: 0.85,
      requireProofCode: false,
      policy: 'RISK',
      policyRule: expect.stringMatching(/follow-to-enter/),
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      // Meta's promotion rules come first; then Meta cannot check an Instagram follow: the tenant
      // learns now which fallback decides.
      warnings: [
        { code: 'POLICY_RISK', fallback: null, message: expect.stringMatching(/follow-to-enter/) },
        { code: 'ACTION_NOT_CHECKABLE', fallback: 'STATISTICAL', message: expect.stringMatching(/no follower list/) },
      ],
    });
    const row = await system.deps.db.socialMediaTask.findUniqueOrThrow({ where: { id: response.body.id } });
    expect(row.tenantId).toBe(tenantId);
  });

  test('every strategy and rate is stored as given', async () => {
    const campaign = await createCampaign({ name: 'Strategies' });
    const response = await system.request('POST', `/api/v1/campaigns/${campaign.id}/tasks`, {
      token: admin,
      body: {
        title: 'Comment',
        platform: 'FACEBOOK',
        actionType: 'COMMENT',
        targetId: '1234567890_987',
        spinsReward: 10,
        verificationStrategy: 'MANUAL',
        fallbackStrategy: 'HONOR_SYSTEM',
        statisticalApprovalRate: 0,
      },
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ verificationStrategy: 'MANUAL', fallbackStrategy: 'HONOR_SYSTEM', statisticalApprovalRate: 0 });
  });

  const invalid: [string, object, string][] = [
    ['an unknown platform', { platform: 'MYSPACE' }, 'platform'],
    ['an unknown action', { actionType: 'POKE' }, 'actionType'],
    ['zero spins', { spinsReward: 0 }, 'spinsReward'],
    ['negative spins', { spinsReward: -5 }, 'spinsReward'],
    ['fractional spins', { spinsReward: 1.5 }, 'spinsReward'],
    ['absurd spins', { spinsReward: 1_000_000 }, 'spinsReward'],
    ['a rate above 1', { statisticalApprovalRate: 1.01 }, 'statisticalApprovalRate'],
    ['a negative rate', { statisticalApprovalRate: -0.1 }, 'statisticalApprovalRate'],
    ['a targetUrl that is not a URL', { targetUrl: 'instagram dot com' }, 'targetUrl'],
    ['a javascript: targetUrl', { targetUrl: 'javascript:alert(1)' }, 'targetUrl'],
    ['an unknown strategy', { verificationStrategy: 'VIBES' }, 'verificationStrategy'],
    ['META_API as a fallback', { fallbackStrategy: 'META_API' }, 'fallbackStrategy'],
    ['a blank title', { title: ' ' }, 'title'],
  ];

  test.each(invalid)('%s → 422 with details, nothing written', async (_name, override, path) => {
    const campaign = await createCampaign({ name: 'Invalid tasks' });
    const response = await system.request('POST', `/api/v1/campaigns/${campaign.id}/tasks`, {
      token: admin,
      body: { ...validTask, ...override },
    });
    expect(response.status).toBe(422);
    expect(response.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    expect(await system.deps.db.socialMediaTask.count({ where: { campaignId: campaign.id } })).toBe(0);
  });

  test('an unknown campaign is 404 for both create and list', async () => {
    const create = await system.request('POST', '/api/v1/campaigns/nope/tasks', { token: admin, body: validTask });
    expect(create.status).toBe(404);
    const list = await system.request('GET', '/api/v1/campaigns/nope/tasks', { token: admin });
    expect(list.status).toBe(404);
  });

  test('the list holds the campaign’s tasks in creation order', async () => {
    const campaign = await createCampaign({ name: 'Ordered' });
    const otherCampaign = await createCampaign({ name: 'Elsewhere' });
    const created: string[] = [];
    for (const title of ['first', 'second', 'third']) {
      const response = await system.request('POST', `/api/v1/campaigns/${campaign.id}/tasks`, { token: admin, body: { ...validTask, title } });
      created.push(response.body.id);
    }
    await system.request('POST', `/api/v1/campaigns/${otherCampaign.id}/tasks`, { token: admin, body: validTask });
    const list = await system.request('GET', `/api/v1/campaigns/${campaign.id}/tasks`, { token: admin });
    expect(list.status).toBe(200);
    expect(list.body.items.map((task: { id: string }) => task.id)).toEqual(created);
    expect(list.body.nextCursor).toBeNull();

    const firstPage = await system.request('GET', `/api/v1/campaigns/${campaign.id}/tasks?limit=2`, { token: admin });
    expect(firstPage.body.items.map((task: { title: string }) => task.title)).toEqual(['first', 'second']);
    const secondPage = await system.request(
      'GET',
      `/api/v1/campaigns/${campaign.id}/tasks?limit=2&cursor=${encodeURIComponent(firstPage.body.nextCursor)}`,
      { token: admin },
    );
    expect(secondPage.body).toEqual({ items: [expect.objectContaining({ title: 'third' })], nextCursor: null });
  });
});
