// A campaign's WhatsApp template is checked with Meta when the campaign is saved (the fake Graph API
// answers like Meta): approved in that language with the 4 body parameters we fill, else 422 naming
// Meta's status; its category and status are shown; a Cloud API campaign without a template is stored
// with a warning; Meta's message_template_status_update pauses and reinstates it.
import { applyTemplateStatus } from '../../src/webhooks/apply-template-status.js';
import { replanWorkflowId } from '../../workflows/replan-definitions.js';
import { startFakeMeta, type FakeMeta } from '../fakes/fake-meta.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { fakeMetaEnv } from '../support/factories.js';

let system: TestSystem;
let fakeMeta: FakeMeta;
let tenantId: string;
let admin: string;
let accountId: string;
let wabaId: string;

beforeAll(async () => {
  fakeMeta = await startFakeMeta({ appSecret: 'templates-secret' });
  system = await startTestSystem({ env: fakeMetaEnv(fakeMeta), worker: false });
  tenantId = await system.createTenant('templates-a');
  admin = tokens.tenantAdmin(tenantId);
  const waba = fakeMeta.addWaba({ name: 'Templates WABA' });
  wabaId = waba.id;
  const phone = fakeMeta.addPhoneNumber(waba.id);
  const body4 = 'Hola {{1}}: {{2}} sumó {{3}} giros. {{4}}';
  fakeMeta.addTemplate(waba.id, { name: 'spins_added', language: 'es', category: 'UTILITY', bodyText: body4 });
  fakeMeta.addTemplate(waba.id, { name: 'promo_spins', language: 'es', category: 'MARKETING', bodyText: body4 });
  fakeMeta.addTemplate(waba.id, { name: 'spins_added', language: 'en_US', status: 'REJECTED', bodyText: body4 });
  fakeMeta.addTemplate(waba.id, { name: 'short_note', language: 'es', bodyText: 'Hola {{1}}, ganaste {{2}}' });
  const token = fakeMeta.addBusinessToken([waba.id]);
  const account = await system.deps.db.whatsappAccount.create({
    data: {
      tenantId,
      wabaId: waba.id,
      phoneNumberId: phone.id,
      displayPhoneNumber: '+1 555 0177',
      accessToken: system.deps.secrets.seal(token.token),
    },
  });
  accountId = account.id;
});

afterAll(async () => {
  await system?.stop();
  await fakeMeta?.close();
});

const create = (body: object) =>
  system.request('POST', '/api/v1/campaigns', { token: admin, body: { name: 'Templates', whatsappAccountId: accountId, ...body } });
const campaignsNamed = (name: string) => system.deps.db.campaign.count({ where: { tenantId, name } });

test('an approved UTILITY template with our 4 parameters is stored with its category and status', async () => {
  const response = await create({ notificationTemplate: { name: 'spins_added', language: 'es' } });
  expect(response.status).toBe(201);
  expect(response.body.notificationTemplate).toEqual({ name: 'spins_added', language: 'es', category: 'UTILITY', status: 'APPROVED' });
  expect(response.body.warnings).toEqual([]);
});

test('a MARKETING template is stored with a warning that a utility template suits this message', async () => {
  const response = await create({ notificationTemplate: { name: 'promo_spins', language: 'es' } });
  expect(response.status).toBe(201);
  expect(response.body.notificationTemplate.category).toBe('MARKETING');
  expect(response.body.warnings).toEqual([expect.objectContaining({ code: 'MARKETING_TEMPLATE' })]);
});

test('a template not approved in that language is 422 TEMPLATE_NOT_APPROVED with Meta’s status; an unknown one says NOT_FOUND; nothing is written', async () => {
  const rejected = await create({ name: 'Rejected', notificationTemplate: { name: 'spins_added', language: 'en_US' } });
  expect(rejected.status).toBe(422);
  expect(rejected.body.error).toMatchObject({
    code: 'TEMPLATE_NOT_APPROVED',
    details: { status: 'REJECTED', name: 'spins_added', language: 'en_US' },
  });
  const unknown = await create({ name: 'Rejected', notificationTemplate: { name: 'no_such_template', language: 'es' } });
  expect(unknown.body.error).toMatchObject({ code: 'TEMPLATE_NOT_APPROVED', details: { status: 'NOT_FOUND' } });
  expect(await campaignsNamed('Rejected')).toBe(0);
});

test('a template whose body takes another number of parameters is 422 TEMPLATE_PARAMETERS_MISMATCH, also on PATCH', async () => {
  const response = await create({ name: 'Short', notificationTemplate: { name: 'short_note', language: 'es' } });
  expect(response.status).toBe(422);
  expect(response.body.error).toMatchObject({ code: 'TEMPLATE_PARAMETERS_MISMATCH', details: { expected: 4, found: 2 } });
  expect(await campaignsNamed('Short')).toBe(0);

  const stored = await create({ name: 'Patched', notificationTemplate: { name: 'spins_added', language: 'es' } });
  const patched = await system.request('PATCH', `/api/v1/campaigns/${stored.body.id}`, {
    token: admin,
    body: { notificationTemplate: { name: 'short_note', language: 'es' } },
  });
  expect(patched.status).toBe(422);
  expect((await system.deps.db.campaign.findUniqueOrThrow({ where: { id: stored.body.id } })).notificationTemplateName).toBe('spins_added');
});

test('a Cloud API campaign without a template is 201 with the warning NO_TEMPLATE_FOR_CLOSED_SESSIONS', async () => {
  const response = await create({});
  expect(response.status).toBe(201);
  expect(response.body.warnings).toEqual([expect.objectContaining({ code: 'NO_TEMPLATE_FOR_CLOSED_SESSIONS' })]);
});

test('message_template_status_update PAUSED marks the campaign template unusable; REINSTATED makes it usable and re-plans the campaign’s claims', async () => {
  const stored = await create({ name: 'Followed', notificationTemplate: { name: 'spins_added', language: 'es' } });
  const deps = { db: system.deps.db, temporal: system.deps.temporal, config: system.config, logger: system.deps.logger };
  const update = (event: string) =>
    applyTemplateStatus(deps, { event, message_template_name: 'spins_added', message_template_language: 'es', reason: 'LOW_QUALITY' }, wabaId);

  await update('PAUSED');
  const paused = await system.request('GET', `/api/v1/campaigns/${stored.body.id}`, { token: admin });
  expect(paused.body.notificationTemplate.status).toBe('PAUSED');

  const items = await update('REINSTATED');
  expect(items.find((item) => item.ref === `campaign ${stored.body.id}`)?.detail).toMatch(/APPROVED; waiting notifications re-plan/);
  const replan = await system.deps.temporal.workflow
    .getHandle(replanWorkflowId({ kind: 'campaign', tenantId, campaignId: stored.body.id }))
    .describe();
  expect(replan.workflowId).toBe(replanWorkflowId({ kind: 'campaign', tenantId, campaignId: stored.body.id }));
  expect((await system.deps.db.campaign.findUniqueOrThrow({ where: { id: stored.body.id } })).notificationTemplateStatus).toBe('APPROVED');
});
