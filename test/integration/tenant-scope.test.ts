// The tenant-scope extension against a real database: besides filtering every query,
// it refuses writes whose data would move a row, or a nested one, to another tenant.
import { scopeToTenant, TenantScopeError } from '../../src/db/tenant-scope.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let database: TestDatabase;
let a: string;
let b: string;
let campaignId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  a = (await database.db.tenant.create({ data: { name: 'A', slug: 'scope-a' } })).id;
  b = (await database.db.tenant.create({ data: { name: 'B', slug: 'scope-b' } })).id;
  campaignId = (await database.db.campaign.create({ data: { tenantId: a, name: 'Summer' } })).id;
});
afterAll(async () => {
  await database?.close();
});

const scoped = () => scopeToTenant(database.db, a);
const campaignRow = () => database.db.campaign.findUniqueOrThrow({ where: { id: campaignId } });

describe('writes that would hand a row to another tenant are refused, and nothing changes', () => {
  const attempts: [string, () => Promise<unknown>][] = [
    ['update data.tenantId', () => scoped().campaign.update({ where: { id: campaignId }, data: { tenantId: b } })],
    ['update data.tenantId {set}', () => scoped().campaign.update({ where: { id: campaignId }, data: { tenantId: { set: b } } })],
    ['updateMany data.tenantId', () => scoped().campaign.updateMany({ where: { id: campaignId }, data: { tenantId: b } })],
    [
      'upsert update.tenantId',
      () => scoped().campaign.upsert({ where: { id: campaignId }, create: { name: 'x' } as never, update: { tenantId: b } }),
    ],
    ['upsert create.tenantId', () => scoped().campaign.upsert({ where: { id: 'new-one' }, create: { name: 'x', tenantId: b }, update: {} })],
    ['update tenant: {connect}', () => scoped().campaign.update({ where: { id: campaignId }, data: { tenant: { connect: { id: b } } } })],
    ['create tenant: {connect}', () => scoped().campaign.create({ data: { name: 'x', tenant: { connect: { id: b } } } as never })],
    [
      'nested create of a task for another tenant',
      () =>
        scoped().campaign.update({
          where: { id: campaignId },
          data: { tasks: { create: { tenantId: b, title: 't', platform: 'INSTAGRAM', actionType: 'LIKE', spinsReward: 1 } } },
        }),
    ],
  ];

  test.each(attempts)('%s', async (_name, attempt) => {
    const before = await campaignRow();
    await expect(attempt()).rejects.toBeInstanceOf(TenantScopeError);
    expect(await campaignRow()).toEqual(before);
    expect(await database.db.campaign.count({ where: { tenantId: b } })).toBe(0);
    expect(await database.db.socialMediaTask.count({ where: { tenantId: b } })).toBe(0);
  });
});

test("the same writes naming the scope's own tenant are allowed", async () => {
  await scoped().campaign.update({ where: { id: campaignId }, data: { tenantId: a, name: 'Winter' } });
  await scoped().campaign.update({ where: { id: campaignId }, data: { tenant: { connect: { id: a } } } });
  expect((await campaignRow()).name).toBe('Winter');
});
