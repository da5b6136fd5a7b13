// Proves prisma/migrations (applied by our own applier, as `npm run db:migrate` does) builds exactly
// the database prisma/schema.prisma describes. The expectation is derived from the schema file by
// Prisma's parser (test/schema/prisma-ddl.ts renders Prisma's DDL for it into a second, empty
// database); both databases are then described from the PostgreSQL catalog and compared fact by fact.
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { applyMigrations } from '../../src/db/migrate.js';
import { createEmptyDatabase } from '../support/database.js';
import { compareFacts, formatDifferences, readSchemaFacts, type Difference, type Facts } from './catalog.js';
import { parsePrismaSchema, readPrismaSchemaFile, renderPrismaDdl, type Datamodel } from './prisma-ddl.js';

const SCHEMA_FILE = fileURLToPath(new URL('../../prisma/schema.prisma', import.meta.url));
const MIGRATIONS_DIR = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));
const IGNORED_TABLES = ['_prisma_migrations'];
/**
 * What schema.prisma cannot express, kept by migrations on purpose: the outbox trigger that writes a
 * tenant event in the same statement as the claim's status change. Each must exist, exactly once.
 */
const MIGRATION_ONLY_FACTS = ['trigger "SocialTaskCompletion"."SocialTaskCompletion_tenant_events"'];

const clients: pg.Client[] = [];

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  clients.push(client);
  return client;
}

/** A new empty database holding exactly what Prisma would create for `datamodel`. */
async function buildReferenceDatabase(datamodel: Datamodel): Promise<pg.Client> {
  const client = await connect((await createEmptyDatabase()).url);
  await client.query('BEGIN');
  for (const statement of renderPrismaDdl(datamodel)) {
    try {
      await client.query(statement);
    } catch (error) {
      throw new Error(`rendered DDL failed: ${(error as Error).message}\n${statement}`, { cause: error });
    }
  }
  await client.query('COMMIT');
  return client;
}

function withoutMigrationOnlyFacts(facts: Facts): Facts {
  for (const fact of MIGRATION_ONLY_FACTS) facts.delete(fact);
  return facts;
}

function assertSame(expected: Facts, actual: Facts): void {
  const differences = compareFacts(expected, actual);
  if (differences.length > 0) {
    throw new Error(
      `The migrated database differs from prisma/schema.prisma in ${differences.length} place(s):\n` +
        `${formatDifferences(differences)}\n` +
        'Fix prisma/migrations (add a new migration; never edit an applied one) or the schema.',
    );
  }
}

afterAll(async () => {
  await Promise.all(clients.map((client) => client.end()));
});

describe('prisma/migrations applied to an empty database', () => {
  let datamodel: Datamodel;
  let migrated: pg.Client;
  let expected: Facts;

  beforeAll(async () => {
    datamodel = readPrismaSchemaFile(SCHEMA_FILE);
    const empty = await createEmptyDatabase();
    await applyMigrations(empty.url, MIGRATIONS_DIR);
    migrated = await connect(empty.url);
    expected = await readSchemaFacts(await buildReferenceDatabase(datamodel));
  });

  test('equal prisma/schema.prisma: tables, columns, enums, keys, indexes and foreign keys', async () => {
    const actual = await readSchemaFacts(migrated, { ignoreTables: IGNORED_TABLES });
    for (const fact of MIGRATION_ONLY_FACTS) {
      expect({ fact, present: actual.has(fact) }).toEqual({ fact, present: true });
      actual.delete(fact);
    }
    assertSame(expected, actual);
  });

  test('the expectation covers every model, field, enum, index and relation of the schema file', () => {
    const count = (prefix: string): number => [...expected.keys()].filter((key) => key.startsWith(prefix)).length;
    const fields = datamodel.models.flatMap((model) => model.fields);
    const indexes = datamodel.indexes;
    expect(datamodel.models.length).toBeGreaterThan(0);
    expect(count('table ')).toBe(datamodel.models.length);
    expect(count('column ')).toBe(fields.filter((field) => field.kind === 'scalar' || field.kind === 'enum').length);
    expect(count('enum ')).toBe(datamodel.enums.length);
    expect(count('primary key of ')).toBe(indexes.filter((index) => index.type === 'id').length);
    expect(count('index ')).toBe(indexes.filter((index) => index.type !== 'id').length);
    expect(count('foreign key ')).toBe(fields.filter((field) => (field.relationFromFields ?? []).length > 0).length);
    expect(expected.size).toBe(
      ['table ', 'column ', 'enum ', 'primary key of ', 'index ', 'foreign key '].reduce((sum, prefix) => sum + count(prefix), 0),
    );
  });

  // Each mutation runs in a transaction that is rolled back, so the cases stay independent.
  const mutations: { what: string; sql: string; differences: [Difference['kind'], string][] }[] = [
    {
      what: 'a dropped index',
      sql: 'DROP INDEX "EndUser_tenantId_createdAt_idx"',
      differences: [['missing', 'index "EndUser_tenantId_createdAt_idx"']],
    },
    {
      what: 'a column of another type',
      sql: 'ALTER TABLE "Tenant" ALTER COLUMN "name" TYPE varchar(200)',
      differences: [['different', 'column "Tenant"."name"']],
    },
    {
      what: 'a timestamp of another precision',
      sql: 'ALTER TABLE "OAuthState" ALTER COLUMN "expiresAt" TYPE timestamp(6)',
      differences: [['different', 'column "OAuthState"."expiresAt"']],
    },
    {
      what: 'a column that became nullable',
      sql: 'ALTER TABLE "Campaign" ALTER COLUMN "name" DROP NOT NULL',
      differences: [['different', 'column "Campaign"."name"']],
    },
    {
      what: 'a changed default',
      sql: `ALTER TABLE "Tenant" ALTER COLUMN "timezone" SET DEFAULT 'Europe/Berlin'`,
      differences: [['different', 'column "Tenant"."timezone"']],
    },
    {
      what: 'a dropped default',
      sql: 'ALTER TABLE "SocialMediaTask" ALTER COLUMN "statisticalApprovalRate" DROP DEFAULT',
      differences: [['different', 'column "SocialMediaTask"."statisticalApprovalRate"']],
    },
    {
      what: 'an extra enum value',
      sql: `ALTER TYPE "CompletionStatus" ADD VALUE 'CANCELLED'`,
      differences: [['different', 'enum "CompletionStatus"']],
    },
    {
      what: 'another ON DELETE action',
      sql: `ALTER TABLE "Campaign" DROP CONSTRAINT "Campaign_whatsappAccountId_fkey";
            ALTER TABLE "Campaign" ADD CONSTRAINT "Campaign_whatsappAccountId_fkey" FOREIGN KEY ("whatsappAccountId")
              REFERENCES "WhatsappAccount"("id") ON DELETE CASCADE ON UPDATE CASCADE`,
      differences: [['different', 'foreign key "Campaign"("whatsappAccountId")']],
    },
    {
      what: 'a dropped foreign key',
      sql: 'ALTER TABLE "SpinCredit" DROP CONSTRAINT "SpinCredit_completionId_fkey"',
      differences: [['missing', 'foreign key "SpinCredit"("completionId")']],
    },
    {
      what: 'a dropped primary key',
      sql: 'ALTER TABLE "OAuthState" DROP CONSTRAINT "OAuthState_pkey"',
      differences: [['missing', 'primary key of "OAuthState"']],
    },
    {
      what: 'a unique index under another name',
      sql: 'ALTER INDEX "Tenant_slug_key" RENAME TO "Tenant_slug_unique"',
      differences: [
        ['missing', 'index "Tenant_slug_key"'],
        ['unexpected', 'index "Tenant_slug_unique"'],
      ],
    },
    {
      what: 'an index with its columns in another order',
      sql: `DROP INDEX "SocialTaskCompletion_tenantId_campaignId_status_idx";
            CREATE INDEX "SocialTaskCompletion_tenantId_campaignId_status_idx"
              ON "SocialTaskCompletion"("campaignId", "tenantId", "status")`,
      differences: [['different', 'index "SocialTaskCompletion_tenantId_campaignId_status_idx"']],
    },
    {
      what: 'a unique index that is no longer unique',
      sql: `DROP INDEX "SocialTaskCompletion_taskId_userId_key";
            CREATE INDEX "SocialTaskCompletion_taskId_userId_key" ON "SocialTaskCompletion"("taskId", "userId")`,
      differences: [['different', 'index "SocialTaskCompletion_taskId_userId_key"']],
    },
    {
      what: 'an extra table',
      sql: 'CREATE TABLE "Extra" ("id" TEXT)',
      differences: [
        ['unexpected', 'column "Extra"."id"'],
        ['unexpected', 'table "Extra"'],
      ],
    },
    {
      what: 'an extra column',
      sql: 'ALTER TABLE "EndUser" ADD COLUMN "nickname" TEXT',
      differences: [['unexpected', 'column "EndUser"."nickname"']],
    },
  ];

  test.each(mutations)('the comparison detects $what', async ({ sql, differences }) => {
    await migrated.query('BEGIN');
    try {
      await migrated.query(sql);
      const found = compareFacts(expected, withoutMigrationOnlyFacts(await readSchemaFacts(migrated, { ignoreTables: IGNORED_TABLES })));
      expect(found.map((difference) => [difference.kind, difference.key])).toEqual(differences);
    } finally {
      await migrated.query('ROLLBACK');
    }
  });

  test('a dropped table shows as every one of its facts missing', async () => {
    await migrated.query('BEGIN');
    try {
      await migrated.query('DROP TABLE "OAuthState"');
      const found = compareFacts(expected, withoutMigrationOnlyFacts(await readSchemaFacts(migrated, { ignoreTables: IGNORED_TABLES })));
      const ofTable = [...expected]
        .filter(([key, description]) => key.includes('"OAuthState"') || description.includes(' ON "OAuthState" '))
        .map(([key]) => key)
        .sort();
      expect(ofTable).toEqual(expect.arrayContaining(['table "OAuthState"', 'primary key of "OAuthState"', 'index "OAuthState_expiresAt_idx"']));
      expect(found.map((difference) => difference.kind)).toEqual(ofTable.map(() => 'missing'));
      expect(found.map((difference) => difference.key).sort()).toEqual(ofTable);
    } finally {
      await migrated.query('ROLLBACK');
    }
  });

  test('the failure message says what differs and how', async () => {
    await migrated.query('BEGIN');
    try {
      await migrated.query('ALTER TABLE "Tenant" ALTER COLUMN "name" TYPE varchar(200), ALTER COLUMN "name" DROP NOT NULL');
      await migrated.query('DROP INDEX "WebhookEvent_processedAt_idx"');
      const actual = withoutMigrationOnlyFacts(await readSchemaFacts(migrated, { ignoreTables: IGNORED_TABLES }));
      expect(() => assertSame(expected, actual)).toThrow(
        [
          'The migrated database differs from prisma/schema.prisma in 2 place(s):',
          '  - column "Tenant"."name"',
          '      schema.prisma: text NOT NULL',
          '      database:      character varying(200) NULL',
          '  - missing from the database: index "WebhookEvent_processedAt_idx": INDEX ON "WebhookEvent" USING btree ("processedAt")',
        ].join('\n'),
      );
    } finally {
      await migrated.query('ROLLBACK');
    }
  });
});

// Anchors the rendering of the expectation to Prisma's PostgreSQL conventions, independent of
// which fields the project's schema happens to use.
describe("the expectation follows Prisma's PostgreSQL mapping", () => {
  const fixture = `
    datasource db {
      provider = "postgresql"
    }
    enum Color {
      RED
      GREEN
    }
    model Owner {
      id      String   @id @default(uuid())
      counter Int      @id @default(autoincrement())
      things  Thing[]
    }
  `;

  test('a schema Prisma rejects is reported, not silently skipped', () => {
    expect(() => parsePrismaSchema(fixture)).toThrow(/P1012|@id/);
  });

  test('types, nullability, defaults, enums, keys, index names and referential actions', async () => {
    const datamodel = parsePrismaSchema(`
      datasource db {
        provider = "postgresql"
      }
      enum Color {
        RED
        GREEN
        BLUE
      }
      model Owner {
        id        String   @id @default(uuid())
        serial    Int      @unique @default(autoincrement())
        name      String   @default("it's")
        count     Int      @default(-3)
        ratio     Float    @default(0.5)
        active    Boolean  @default(true)
        born      DateTime @default(now())
        changed   DateTime @updatedAt
        data      Json?
        tags      String[] @default([])
        colors    Color[]
        color     Color    @default(GREEN)
        maybe     Color?
        code      String   @db.VarChar(12)
        things    Thing[]
        notes     Thing[]  @relation("notes")
        @@unique([name, count])
        @@index([born(sort: Desc), name])
      }
      model Thing {
        a        Int
        b        Int
        ownerId  String
        owner    Owner   @relation(fields: [ownerId], references: [id])
        noteOfId String?
        noteOf   Owner?  @relation("notes", fields: [noteOfId], references: [id], onDelete: Cascade, onUpdate: NoAction)
        @@id([a, b])
        @@index([ownerId])
      }
    `);
    const facts = await readSchemaFacts(await buildReferenceDatabase(datamodel));
    expect(Object.fromEntries(facts)).toEqual({
      'table "Owner"': 'table',
      'table "Thing"': 'table',
      'enum "Color"': "'RED', 'GREEN', 'BLUE'",
      'column "Owner"."id"': 'text NOT NULL',
      'column "Owner"."serial"': `integer NOT NULL DEFAULT nextval('"Owner_serial_seq"'::regclass)`,
      'column "Owner"."name"': `text NOT NULL DEFAULT 'it''s'::text`,
      'column "Owner"."count"': "integer NOT NULL DEFAULT '-3'::integer",
      'column "Owner"."ratio"': 'double precision NOT NULL DEFAULT 0.5',
      'column "Owner"."active"': 'boolean NOT NULL DEFAULT true',
      'column "Owner"."born"': 'timestamp(3) without time zone NOT NULL DEFAULT CURRENT_TIMESTAMP',
      'column "Owner"."changed"': 'timestamp(3) without time zone NOT NULL',
      'column "Owner"."data"': 'jsonb NULL',
      'column "Owner"."tags"': 'text[] NULL DEFAULT ARRAY[]::text[]',
      'column "Owner"."colors"': '"Color"[] NULL',
      'column "Owner"."color"': `"Color" NOT NULL DEFAULT 'GREEN'::"Color"`,
      'column "Owner"."maybe"': '"Color" NULL',
      'column "Owner"."code"': 'character varying(12) NOT NULL',
      'column "Thing"."a"': 'integer NOT NULL',
      'column "Thing"."b"': 'integer NOT NULL',
      'column "Thing"."ownerId"': 'text NOT NULL',
      'column "Thing"."noteOfId"': 'text NULL',
      'primary key of "Owner"': '"Owner_pkey" USING btree ("id")',
      'primary key of "Thing"': '"Thing_pkey" USING btree ("a", "b")',
      'index "Owner_serial_key"': 'UNIQUE INDEX ON "Owner" USING btree ("serial")',
      'index "Owner_name_count_key"': 'UNIQUE INDEX ON "Owner" USING btree ("name", "count")',
      'index "Owner_born_name_idx"': 'INDEX ON "Owner" USING btree ("born" DESC, "name")',
      'index "Thing_ownerId_idx"': 'INDEX ON "Thing" USING btree ("ownerId")',
      'foreign key "Thing"("ownerId")': '"Thing_ownerId_fkey" REFERENCES "Owner"("id") ON DELETE RESTRICT ON UPDATE CASCADE',
      'foreign key "Thing"("noteOfId")': '"Thing_noteOfId_fkey" REFERENCES "Owner"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    });
  });

  test('an optional relation without onDelete defaults to SET NULL', async () => {
    const datamodel = parsePrismaSchema(`
      datasource db {
        provider = "postgresql"
      }
      model Parent {
        id       Int     @id
        children Child[]
      }
      model Child {
        id       Int     @id
        parentId Int?
        parent   Parent? @relation(fields: [parentId], references: [id])
      }
    `);
    const facts = await readSchemaFacts(await buildReferenceDatabase(datamodel));
    expect(facts.get('foreign key "Child"("parentId")')).toBe('"Child_parentId_fkey" REFERENCES "Parent"("id") ON DELETE SET NULL ON UPDATE CASCADE');
  });
});
