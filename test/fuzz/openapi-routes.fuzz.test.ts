// Property-based fuzzing of every operation in docs/openapi.yaml through the real app:
// random path parameters, query values and JSON bodies — NUL characters, lone surrogates, 10 KB
// strings, huge and fractional numbers, wrong types, extra fields — with tokens of an allowed role.
// Properties: never a 5xx, and a 4xx never changes a row (every table is fingerprinted around
// each request). FUZZ_RUNS sets the runs per operation (default keeps the file well under a minute).
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { seedDemoTenant } from '../../src/dev/seed-demo.js';
import { startClaimWorkflow } from '../../src/temporal/claim-starter.js';
import { startFakeMeta, type FakeMeta } from '../fakes/fake-meta.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { fakeMetaEnv } from '../support/factories.js';

type Json = Record<string, any>;
const doc = parse(readFileSync(fileURLToPath(new URL('../../docs/openapi.yaml', import.meta.url)), 'utf8')) as Json;
const RUNS = Number(process.env.FUZZ_RUNS ?? 20);
const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

function deref(node: Json | undefined): Json {
  let current = node ?? {};
  for (let hops = 0; typeof current.$ref === 'string' && hops < 20; hops++) {
    current =
      current.$ref
        .slice(2)
        .split('/')
        .reduce((at: Json, key: string) => at?.[key], doc) ?? {};
  }
  return current;
}

interface Operation {
  readonly key: string;
  readonly method: string;
  readonly path: string;
  readonly roles: string[];
  readonly pathParams: string[];
  readonly queryParams: string[];
  readonly bodyFields: string[] | undefined;
}

const operations: Operation[] = Object.entries<Json>(doc.paths).flatMap(([path, item]) =>
  METHODS.filter((method) => item[method]).map((method) => {
    const operation = item[method] as Json;
    const parameters = [...(item.parameters ?? []), ...(operation.parameters ?? [])].map(deref);
    const bodySchema = deref(operation.requestBody?.content?.['application/json']?.schema);
    return {
      key: `${method.toUpperCase()} ${path}`,
      method: method.toUpperCase(),
      path,
      roles: (operation['x-roles'] as string[] | undefined) ?? [],
      pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name as string),
      queryParams: parameters.filter((p) => p.in === 'query').map((p) => p.name as string),
      bodyFields: operation.requestBody ? Object.keys(bodySchema.properties ?? {}) : undefined,
    };
  }),
);

// ------------------------------------------------------------------------------------------------
// Nasty values

const nastyString = fc.oneof(
  fc.string(),
  // The values that broke things before are drawn most often.
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '\u0000',
      'a\u0000b',
      '\uD800',
      'x\uDFFFy',
      '\uDBFF\uDBFF',
      '',
      ' ',
      '../../etc/passwd',
      '\'; DROP TABLE "Tenant"; --',
      '%00',
      '\u202E',
      '😀',
    ),
  },
  fc.string({ unit: 'binary' }),
  fc.string({ minLength: 10_000, maxLength: 10_240 }),
  fc.constantFrom('x'.repeat(10_240), '\u0000'.repeat(10_000)),
);
const nastyNumber = fc.oneof(
  fc.constantFrom(0, -1, 1.5, 2 ** 31, 2 ** 53, -(2 ** 63), 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 5e-324),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const nastyLeaf = fc.oneof(nastyString, nastyNumber, fc.boolean(), fc.constant(null));
const nastyValue = fc.oneof(
  { depthSize: 'small' },
  nastyLeaf,
  fc.array(nastyLeaf, { maxLength: 4 }),
  fc.dictionary(nastyString, nastyLeaf, { maxKeys: 3 }),
);

// Printable, short: the usual shape of a valid value, so that bodies sometimes get past the first field.
const plausibleString = fc.oneof(
  fc.string({ minLength: 1, maxLength: 20 }),
  fc.constantFrom('+51987654321', 'https://api.example.com/send', 'UTC', 'INSTAGRAM', 'COMMENT', 'HONOR_SYSTEM'),
);

function bodyArbitrary(fields: string[]) {
  const known = fc.record(
    Object.fromEntries(fields.map((field) => [field, fc.oneof(nastyValue, plausibleString, fc.integer({ min: 0, max: 30 }))])),
    { requiredKeys: [] },
  );
  const extra = fc.dictionary(fc.string({ maxLength: 12 }), nastyValue, { maxKeys: 2 });
  return fc.oneof({ weight: 6, arbitrary: fc.tuple(known, extra).map(([a, b]) => ({ ...b, ...a })) }, { weight: 1, arbitrary: nastyValue });
}

// ------------------------------------------------------------------------------------------------

let fake: FakeMeta;
let system: TestSystem;
let realIds: Record<string, string[]>;
let tokenFor: Record<string, string>;
let fingerprintSql: string;

beforeAll(async () => {
  fake = await startFakeMeta({ appSecret: 'test-app-secret' });
  system = await startTestSystem({
    worker: false,
    env: { ...fakeMetaEnv(fake), META_DASHBOARD_URL: 'https://dashboard.example.test/wa' },
  });
  const db = system.deps.db;
  const { ids } = await seedDemoTenant(db);
  const taskIds = Object.values(ids.taskIds);
  // A MANUAL claim whose workflow Temporal holds (no worker runs it here), as after a real claim.
  const id = randomUUID();
  const claim = await db.claim.create({
    data: { id, tenantId: ids.tenantId, campaignId: ids.campaignId, taskId: taskIds[3]!, userId: ids.endUserId, workflowId: `claim-${id}` },
  });
  await startClaimWorkflow(system.deps, claim);
  const account = await db.whatsappAccount.create({
    data: { tenantId: ids.tenantId, wabaId: '1001', phoneNumberId: '2002', accessToken: system.deps.secrets.seal('token-of-fuzz') },
  });
  realIds = {
    campaignId: [ids.campaignId],
    taskId: taskIds,
    endUserId: [ids.endUserId],
    completionId: [claim.id],
    id: [account.id],
  };
  tokenFor = {
    platform_admin: tokens.platformAdmin(),
    tenant_admin: tokens.tenantAdmin(ids.tenantId),
    end_user: tokens.endUser(ids.tenantId, ids.endUserId),
  };
  const tables = await db.$queryRaw<{ table_name: string }[]>`
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'
      AND table_name NOT IN ('RateLimitCounter', 'RateLimitRejection') ORDER BY table_name`;
  // Request budgets are charged by every request to a limited route, valid or not (they count
  // requests, not data): the only rows a 4xx may change, so they are left out of the fingerprint.
  fingerprintSql = tables
    .map(({ table_name: name }) => `SELECT '${name}' AS t, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM "${name}" x`)
    .join(' UNION ALL ');
}, 60_000);

afterAll(async () => {
  await system?.stop();
  await fake?.close();
});

async function fingerprint(): Promise<string> {
  const rows = await system.deps.db.$queryRawUnsafe<{ t: string; h: string }[]>(fingerprintSql);
  return rows
    .map((row) => `${row.t}:${row.h}`)
    .sort()
    .join(',');
}

// encodeURIComponent refuses lone surrogates; send them as the (invalid UTF-8) bytes a client could send.
function encodeSegment(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return [...value]
      .map((char) => {
        try {
          return encodeURIComponent(char);
        } catch {
          return '%ED%A0%80';
        }
      })
      .join('');
  }
}

describe.each(operations.map((operation) => [operation.key, operation] as const))('%s', (_key, operation) => {
  test('no 5xx, and a 4xx writes nothing', async () => {
    const pathParam = (name: string) => fc.oneof(fc.constantFrom(...(realIds[name] ?? ['none'])), nastyString);
    const input = fc.record({
      params: fc.record(Object.fromEntries(operation.pathParams.map((name) => [name, pathParam(name)]))),
      query: fc.record(Object.fromEntries(operation.queryParams.map((name) => [name, nastyString])), { requiredKeys: [] }),
      body: operation.bodyFields ? bodyArbitrary(operation.bodyFields) : fc.constant(undefined),
      role: fc.constantFrom(...(operation.roles.length > 0 ? operation.roles : ['none'])),
    });
    await fc.assert(
      fc.asyncProperty(input, async ({ params, query, body, role }) => {
        const path = operation.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeSegment(String((params as Json)[name])));
        const search = Object.entries(query as Json)
          .map(([name, value]) => `${encodeSegment(name)}=${encodeSegment(String(value))}`)
          .join('&');
        const headers: Record<string, string> = {};
        if (tokenFor[role]) headers.authorization = `Bearer ${tokenFor[role]}`;
        if (body !== undefined) headers['content-type'] = 'application/json';
        const before = await fingerprint();
        const response = await fetch(`${system.url}${path}${search ? `?${search}` : ''}`, {
          method: operation.method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await response.text();
        if (response.status >= 500) throw new Error(`${operation.method} ${path}: ${response.status} ${text.slice(0, 300)}`);
        if (response.status >= 400) expect(await fingerprint()).toBe(before);
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
  });
});
