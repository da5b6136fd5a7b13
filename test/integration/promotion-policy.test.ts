// Meta's promotion rules at task create and PATCH: rewarding a Facebook Page like/follow, a Facebook
// share or tagging friends is refused (422 POLICY_PROHIBITED naming the rule, nothing written);
// Instagram follows and other shares are stored with a POLICY_RISK warning; a stored task that breaks
// the rules shows `policy: PROHIBITED` and can still be edited without changing what it rewards.
import { startTestSystem, type TestSystem } from '../support/system.js';
import { createTwoTenants } from '../support/factories.js';

let system: TestSystem;
let tenantId: string;
let admin: string;
let campaignId: string;

beforeAll(async () => {
  system = await startTestSystem({ worker: false });
  ({ tenantId, admin } = await createTwoTenants(system, 'policy-a', 'policy-b'));
  const campaign = await system.request('POST', '/api/v1/campaigns', { token: admin, body: { name: 'Policy' } });
  campaignId = campaign.body.id;
});

afterAll(async () => {
  await system?.stop();
});

const createTask = (platform: string, actionType: string) =>
  system.request('POST', `/api/v1/campaigns/${campaignId}/tasks`, {
    token: admin,
    body: { title: `${platform} ${actionType}`, platform, actionType, spinsReward: 2, verificationStrategy: 'HONOR_SYSTEM' },
  });
const tasksNamed = (title: string) => system.deps.db.socialMediaTask.count({ where: { tenantId, title } });

test.each([
  ['FOLLOW', /liking or following the Page/],
  ['SHARE', /sharing on a timeline/],
  ['MENTION', /tagging friends/],
])('Facebook %s is 422 POLICY_PROHIBITED naming the rule; nothing is written', async (actionType, rule) => {
  const response = await createTask('FACEBOOK', actionType);
  expect(response.status).toBe(422);
  expect(response.body.error).toMatchObject({ code: 'POLICY_PROHIBITED', message: expect.stringMatching(rule) });
  expect(await tasksNamed(`FACEBOOK ${actionType}`)).toBe(0);
});

test.each([
  ['INSTAGRAM', 'FOLLOW'],
  ['INSTAGRAM', 'SHARE'],
  ['TIKTOK', 'SHARE'],
])('%s %s is 201 with a POLICY_RISK warning and policy RISK', async (platform, actionType) => {
  const response = await createTask(platform, actionType);
  expect(response.status).toBe(201);
  expect(response.body.policy).toBe('RISK');
  expect(response.body.warnings).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'POLICY_RISK', fallback: null })]));
});

test('a comment on a Page post is allowed, with no policy warning', async () => {
  const response = await createTask('FACEBOOK', 'COMMENT');
  expect(response.status).toBe(201);
  expect(response.body).toMatchObject({ policy: 'ALLOWED', policyRule: null });
  expect(response.body.warnings.filter((warning: { code: string }) => warning.code === 'POLICY_RISK')).toEqual([]);
});

test('PATCH to a prohibited action is 422 and changes nothing; a stored prohibited task shows policy PROHIBITED and its title can be edited', async () => {
  const allowed = await createTask('FACEBOOK', 'LIKE');
  const refused = await system.request('PATCH', `/api/v1/tasks/${allowed.body.id}`, { token: admin, body: { actionType: 'SHARE' } });
  expect(refused.status).toBe(422);
  expect(refused.body.error.code).toBe('POLICY_PROHIBITED');
  expect((await system.deps.db.socialMediaTask.findUniqueOrThrow({ where: { id: allowed.body.id } })).actionType).toBe('LIKE');

  // A task stored before the rule (written directly).
  const old = await system.deps.db.socialMediaTask.create({
    data: {
      tenantId,
      campaignId,
      title: 'Like our Page',
      platform: 'FACEBOOK',
      actionType: 'FOLLOW',
      spinsReward: 1,
      verificationStrategy: 'HONOR_SYSTEM',
    },
  });
  const list = await system.request('GET', `/api/v1/campaigns/${campaignId}/tasks`, { token: admin });
  const listed = list.body.items.find((task: { id: string }) => task.id === old.id);
  expect(listed).toMatchObject({ policy: 'PROHIBITED', policyRule: expect.stringMatching(/following the Page/) });
  const renamed = await system.request('PATCH', `/api/v1/tasks/${old.id}`, { token: admin, body: { title: 'Like our Page (old)' } });
  expect(renamed.status).toBe(200);
  expect(renamed.body.policy).toBe('PROHIBITED');
});
