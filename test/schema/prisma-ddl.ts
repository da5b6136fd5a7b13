// Reads prisma/schema.prisma through Prisma's own schema parser (the wasm build of prisma-fmt, the
// same parser `prisma generate` uses) and renders the PostgreSQL DDL that `prisma migrate` would
// produce for it: Prisma's type mapping, NOT NULL rules, defaults, enum types, constraint and index
// names and referential-action defaults. The schema test runs this DDL in an empty database and
// compares that database's catalog with the migrated one, so nothing here is a hand-copied list.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

// Loaded with Node's own require (outside jest's module sandbox): it instantiates WebAssembly.
const require = createRequire(import.meta.url);
const prismaSchemaWasm = require('@prisma/prisma-schema-wasm') as { get_dmmf(params: string): string };

export interface DmmfField {
  readonly name: string;
  readonly dbName?: string | null;
  readonly kind: 'scalar' | 'object' | 'enum' | 'unsupported';
  readonly isList: boolean;
  readonly isRequired: boolean;
  readonly type: string;
  readonly nativeType?: readonly [string, readonly string[]] | null;
  readonly hasDefaultValue: boolean;
  readonly default?: unknown;
  readonly relationName?: string;
  readonly relationFromFields?: readonly string[];
  readonly relationToFields?: readonly string[];
  readonly relationOnDelete?: string;
  readonly relationOnUpdate?: string;
}

export interface DmmfModel {
  readonly name: string;
  readonly dbName: string | null;
  readonly schema?: string | null;
  readonly fields: readonly DmmfField[];
}

export interface DmmfEnum {
  readonly name: string;
  readonly dbName?: string | null;
  readonly values: readonly { readonly name: string; readonly dbName: string | null }[];
}

export interface DmmfIndex {
  readonly model: string;
  readonly type: 'id' | 'unique' | 'normal' | 'fulltext';
  readonly name?: string | null;
  readonly dbName?: string | null;
  readonly algorithm?: string;
  readonly fields: readonly { readonly name: string; readonly sortOrder?: 'asc' | 'desc'; readonly operatorClass?: unknown }[];
  /** A partial index's predicate (`where: raw("...")`); read from the schema text, which DMMF omits */
  readonly where?: string;
}

export interface Datamodel {
  readonly models: readonly DmmfModel[];
  readonly enums: readonly DmmfEnum[];
  readonly types: readonly unknown[];
  readonly indexes: readonly DmmfIndex[];
}

export function parsePrismaSchema(source: string, fileName = 'schema.prisma'): Datamodel {
  const dmmf = JSON.parse(prismaSchemaWasm.get_dmmf(JSON.stringify({ prismaSchema: [[fileName, source]] }))) as {
    datamodel: Datamodel;
  };
  return withPartialIndexPredicates(dmmf.datamodel, source);
}

/**
 * Prisma's parser validates `where: raw("...")` (preview feature partialIndexes) but its DMMF leaves
 * the predicate out: it is read from the schema text here, by the index's map name (required).
 */
function withPartialIndexPredicates(datamodel: Datamodel, source: string): Datamodel {
  const predicates = new Map<string, string>();
  for (const line of source.split('\n')) {
    if (!/^\s*@@(index|unique)\(/.test(line) || !line.includes('where:')) continue;
    const name = /map:\s*"([^"]+)"/.exec(line)?.[1];
    const where = /where:\s*raw\("((?:[^"\\]|\\.)*)"\)/.exec(line)?.[1];
    if (!name || where === undefined) throw new Unsupported(`a partial index without map: "name" and where: raw("..."): ${line.trim()}`);
    predicates.set(name, JSON.parse(`"${where}"`) as string);
  }
  if (predicates.size === 0) return datamodel;
  return {
    ...datamodel,
    indexes: datamodel.indexes.map((index) =>
      index.dbName && predicates.has(index.dbName) ? { ...index, where: predicates.get(index.dbName)! } : index,
    ),
  };
}

export function readPrismaSchemaFile(path: string): Datamodel {
  return parsePrismaSchema(readFileSync(path, 'utf8'), path);
}

/** PostgreSQL's identifier limit; Prisma truncates generated names to fit it. */
const MAX_IDENTIFIER_LENGTH = 63;

/** Prisma's default constraint/index names: `{table}_{columns}_{suffix}`, truncated to 63 bytes. */
export function prismaDefaultName(table: string, columns: readonly string[], suffix: 'pkey' | 'key' | 'idx' | 'fkey'): string {
  const base = suffix === 'pkey' ? table : `${table}_${columns.join('_')}`;
  return `${base.slice(0, MAX_IDENTIFIER_LENGTH - suffix.length - 1)}_${suffix}`;
}

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const quoteLiteral = (value: string): string => `'${value.replace(/'/g, "''")}'`;

/** Prisma's PostgreSQL column type for a scalar without a native type attribute. */
const PRISMA_SCALAR_TYPES: Record<string, string> = {
  String: 'TEXT',
  Int: 'INTEGER',
  BigInt: 'BIGINT',
  Float: 'DOUBLE PRECISION',
  Decimal: 'DECIMAL(65,30)',
  Boolean: 'BOOLEAN',
  DateTime: 'TIMESTAMP(3)',
  Json: 'JSONB',
  Bytes: 'BYTEA',
};

/** `@db.X(args)` spellings that are not simply the upper-cased attribute name. */
const NATIVE_TYPE_SPELLINGS: Record<string, string> = { DoublePrecision: 'DOUBLE PRECISION', JsonB: 'JSONB', ByteA: 'BYTEA' };

const REFERENTIAL_ACTIONS: Record<string, string> = {
  Cascade: 'CASCADE',
  Restrict: 'RESTRICT',
  NoAction: 'NO ACTION',
  SetNull: 'SET NULL',
  SetDefault: 'SET DEFAULT',
};

const INDEX_ALGORITHMS: Record<string, string> = {
  BTree: 'btree',
  Hash: 'hash',
  Gist: 'gist',
  Gin: 'gin',
  SpGist: 'spgist',
  Brin: 'brin',
};

class Unsupported extends Error {
  constructor(what: string) {
    super(`the schema test does not model ${what} yet; extend test/schema/prisma-ddl.ts before using it`);
  }
}

/** The statements `prisma migrate` would generate for this datamodel on an empty PostgreSQL database. */
export function renderPrismaDdl(datamodel: Datamodel): string[] {
  if (datamodel.types.length > 0) throw new Unsupported('composite types');
  const models = new Map(datamodel.models.map((model) => [model.name, model]));
  const enums = new Map(datamodel.enums.map((enumType) => [enumType.name, enumType]));
  const tableOf = (model: DmmfModel): string => model.dbName ?? model.name;
  const columnOf = (model: DmmfModel, fieldName: string): string => {
    const field = model.fields.find((candidate) => candidate.name === fieldName);
    if (!field) throw new Error(`model ${model.name} has no field ${fieldName}`);
    return field.dbName ?? field.name;
  };
  const enumValueOf = (enumName: string, value: string): string => {
    const enumType = enums.get(enumName);
    const entry = enumType?.values.find((candidate) => candidate.name === value);
    if (!entry) throw new Error(`enum ${enumName} has no value ${value}`);
    return entry.dbName ?? entry.name;
  };

  const baseType = (field: DmmfField): string => {
    if (field.kind === 'enum') return quoteIdent(enums.get(field.type)?.dbName ?? field.type);
    if (field.kind !== 'scalar') throw new Unsupported(`${field.kind} field types (${field.name})`);
    if (field.nativeType) {
      const [name, args] = field.nativeType;
      const spelled = NATIVE_TYPE_SPELLINGS[name] ?? name.toUpperCase();
      return args.length > 0 ? `${spelled}(${args.join(',')})` : spelled;
    }
    const type = PRISMA_SCALAR_TYPES[field.type];
    if (!type) throw new Unsupported(`the scalar type ${field.type}`);
    return type;
  };

  const literal = (field: DmmfField, value: unknown): string => {
    if (field.kind === 'enum') return quoteLiteral(enumValueOf(field.type, String(value)));
    switch (field.type) {
      case 'String':
      case 'Json':
      case 'DateTime':
        return quoteLiteral(String(value));
      case 'Bytes':
        return quoteLiteral(`\\x${Buffer.from(String(value), 'base64').toString('hex')}`);
      case 'Boolean':
        return value ? 'true' : 'false';
      default:
        return String(value);
    }
  };

  /** `DEFAULT ...` as Prisma writes it, or undefined when the default lives in the client (uuid(), cuid()...). */
  const defaultClause = (field: DmmfField): string | undefined => {
    if (!field.hasDefaultValue) return undefined;
    const value = field.default;
    if (Array.isArray(value)) {
      return `ARRAY[${value.map((item) => literal(field, item)).join(', ')}]::${baseType(field)}[]`;
    }
    if (value !== null && typeof value === 'object') {
      const { name, args } = value as { name: string; args: unknown[] };
      switch (name) {
        case 'now':
          return 'CURRENT_TIMESTAMP';
        case 'autoincrement':
          return undefined; // rendered as SERIAL
        case 'uuid':
        case 'cuid':
        case 'nanoid':
        case 'ulid':
          return undefined;
        case 'dbgenerated':
          return args.length > 0 ? String(args[0]) : undefined;
        default:
          throw new Unsupported(`the default function ${name}()`);
      }
    }
    return literal(field, value);
  };

  const isAutoincrement = (field: DmmfField): boolean =>
    typeof field.default === 'object' && field.default !== null && (field.default as { name?: string }).name === 'autoincrement';

  const columnDefinition = (field: DmmfField): string => {
    let type = baseType(field);
    if (isAutoincrement(field)) {
      type = { INTEGER: 'SERIAL', BIGINT: 'BIGSERIAL', SMALLINT: 'SMALLSERIAL' }[type] ?? type;
    }
    if (field.isList) type = `${type}[]`;
    // Prisma never writes NOT NULL for scalar lists.
    const notNull = field.isRequired && !field.isList ? ' NOT NULL' : '';
    const fallback = defaultClause(field);
    return `${quoteIdent(field.dbName ?? field.name)} ${type}${notNull}${fallback === undefined ? '' : ` DEFAULT ${fallback}`}`;
  };

  const statements: string[] = [];
  for (const enumType of datamodel.enums) {
    const values = enumType.values.map((value) => quoteLiteral(value.dbName ?? value.name)).join(', ');
    statements.push(`CREATE TYPE ${quoteIdent(enumType.dbName ?? enumType.name)} AS ENUM (${values})`);
  }

  const indexesByModel = new Map<string, DmmfIndex[]>();
  for (const index of datamodel.indexes) {
    indexesByModel.set(index.model, [...(indexesByModel.get(index.model) ?? []), index]);
  }

  for (const model of datamodel.models) {
    if (model.schema) throw new Unsupported('multiSchema models');
    const table = tableOf(model);
    const columns = model.fields.filter((field) => field.kind === 'scalar' || field.kind === 'enum' || field.kind === 'unsupported');
    const parts = columns.map(columnDefinition);
    const primaryKey = (indexesByModel.get(model.name) ?? []).find((index) => index.type === 'id');
    if (primaryKey) {
      const keyColumns = primaryKey.fields.map((field) => columnOf(model, field.name));
      const name = primaryKey.dbName ?? prismaDefaultName(table, keyColumns, 'pkey');
      parts.push(`CONSTRAINT ${quoteIdent(name)} PRIMARY KEY (${keyColumns.map(quoteIdent).join(', ')})`);
    }
    statements.push(`CREATE TABLE ${quoteIdent(table)} (\n  ${parts.join(',\n  ')}\n)`);
  }

  for (const model of datamodel.models) {
    const table = tableOf(model);
    for (const index of indexesByModel.get(model.name) ?? []) {
      if (index.type === 'id') continue;
      if (index.type === 'fulltext') throw new Unsupported('fulltext indexes');
      if (index.fields.some((field) => field.operatorClass !== undefined)) throw new Unsupported('index operator classes');
      const keyColumns = index.fields.map((field) => columnOf(model, field.name));
      const unique = index.type === 'unique';
      const name = index.dbName ?? prismaDefaultName(table, keyColumns, unique ? 'key' : 'idx');
      const method = index.algorithm ? INDEX_ALGORITHMS[index.algorithm] : 'btree';
      if (!method) throw new Unsupported(`the index algorithm ${index.algorithm}`);
      const list = index.fields.map((field) => `${quoteIdent(columnOf(model, field.name))}${field.sortOrder === 'desc' ? ' DESC' : ''}`).join(', ');
      const predicate = index.where === undefined ? '' : ` WHERE ${index.where}`;
      statements.push(`CREATE ${unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(name)} ON ${quoteIdent(table)} USING ${method} (${list})${predicate}`);
    }
  }

  for (const model of datamodel.models) {
    const table = tableOf(model);
    for (const field of model.fields) {
      if (field.kind !== 'object') continue;
      const from = field.relationFromFields ?? [];
      const target = models.get(field.type);
      if (!target) throw new Error(`relation ${model.name}.${field.name} points at unknown model ${field.type}`);
      if (from.length === 0) {
        const other = target.fields.find((candidate) => candidate.relationName === field.relationName && candidate !== field);
        if (field.isList && other?.isList) throw new Unsupported(`implicit many-to-many relations (${field.relationName})`);
        continue; // the back side of a relation: the foreign key is declared on the other model
      }
      const columns = from.map((name) => columnOf(model, name));
      const referenced = (field.relationToFields ?? []).map((name) => columnOf(target, name));
      const anyOptional = from.some((name) => !model.fields.find((candidate) => candidate.name === name)?.isRequired);
      // Prisma's defaults: SetNull for an optional relation, Restrict for a required one; Cascade on update.
      const onDelete = field.relationOnDelete ?? (anyOptional ? 'SetNull' : 'Restrict');
      const onUpdate = field.relationOnUpdate ?? 'Cascade';
      // The DMMF does not carry @relation(map: ...); a custom name would show up as a name difference.
      const name = prismaDefaultName(table, columns, 'fkey');
      statements.push(
        `ALTER TABLE ${quoteIdent(table)} ADD CONSTRAINT ${quoteIdent(name)} FOREIGN KEY (${columns.map(quoteIdent).join(', ')}) ` +
          `REFERENCES ${quoteIdent(tableOf(target))}(${referenced.map(quoteIdent).join(', ')}) ` +
          `ON DELETE ${REFERENTIAL_ACTIONS[onDelete]} ON UPDATE ${REFERENTIAL_ACTIONS[onUpdate]}`,
      );
    }
  }
  return statements;
}
