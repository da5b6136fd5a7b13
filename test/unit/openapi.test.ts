// docs/openapi.yaml against the code: the routes the Express app really registers (read from its
// router stack), the roles each route really admits (probed through its own middleware), the error
// codes of src/http/errors.ts and the enums Prisma generates. Nothing is served or called: the
// app is built with stand-in deps that throw if anything touches them.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config.js';
import * as prismaEnums from '../../src/generated/prisma/enums.js';
import { createApp } from '../../src/http/app.js';
import { ROLES, type Role } from '../../src/http/auth.js';
import type { AppDeps } from '../../src/http/deps.js';
import { AppError, ERROR_STATUS, type ErrorCode } from '../../src/http/errors.js';
import { BASE_TEST_ENV } from '../support/system.js';

// ------------------------------------------------------------------------------------------------
// The document

type Json = Record<string, any>;

const DOC_PATH = fileURLToPath(new URL('../../docs/openapi.yaml', import.meta.url));
const doc = parse(readFileSync(DOC_PATH, 'utf8')) as Json;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const ENVELOPE_REF = '#/components/schemas/ErrorResponse';
/**
 * Error answers that are knowingly not the envelope. GET /readyz answers 503 with its readiness
 * document ({status: 'not_ready', checks}) so operators see which dependency failed; GET
 * /meta/callback is a page in a person's browser, so its errors are HTML pages too.
 */
const NOT_ENVELOPE = new Set(['GET /readyz 503', 'GET /meta/callback 400', 'GET /meta/callback 409']);

interface DocumentedOperation {
  readonly key: string; // "GET /api/v1/campaigns/{campaignId}"
  readonly method: string;
  readonly path: string;
  readonly operation: Json;
  readonly pathItem: Json;
}

function documentedOperations(): DocumentedOperation[] {
  const operations: DocumentedOperation[] = [];
  for (const [path, pathItem] of Object.entries<Json>(doc.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method] as Json | undefined;
      if (operation) operations.push({ key: `${method.toUpperCase()} ${path}`, method, path, operation, pathItem });
    }
  }
  return operations;
}

/** A local JSON pointer (`#/components/schemas/X`); undefined when it does not resolve. */
function resolvePointer(ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !(key in (node as Json))) return undefined;
    node = (node as Json)[key];
  }
  return node;
}

/** Follows `$ref`s until a node without one (the document's refs are checked to resolve first). */
function deref(node: Json): Json {
  let current = node;
  for (let hops = 0; typeof current?.$ref === 'string'; hops += 1) {
    if (hops > 20) throw new Error(`$ref cycle at ${node.$ref}`);
    current = resolvePointer(current.$ref) as Json;
  }
  return current;
}

/** Every `$ref` in the document with where it is. */
function allRefs(node: unknown, at = '#', found: { at: string; ref: string }[] = []) {
  if (Array.isArray(node)) {
    node.forEach((item, index) => {
      allRefs(item, `${at}/${index}`, found);
    });
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.push({ at, ref: value });
      else allRefs(value, `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, found);
    }
  }
  return found;
}

/** The envelope itself, or a schema whose allOf includes it (ValidationErrorResponse). */
function isEnvelopeSchema(schema: Json | undefined): boolean {
  if (!schema) return false;
  if (schema.$ref === ENVELOPE_REF) return true;
  if (typeof schema.$ref === 'string') return isEnvelopeSchema(resolvePointer(schema.$ref) as Json | undefined);
  return Array.isArray(schema.allOf) && schema.allOf.some((part: Json) => isEnvelopeSchema(part));
}

const isErrorStatus = (status: string) => status === 'default' || /^[45]/.test(status);

// ------------------------------------------------------------------------------------------------
// The app's routes, from Express 5's router stack

interface RegisteredRoute {
  readonly key: string; // "GET /api/v1/campaigns/{campaignId}"
  readonly expressPath: string; // "/api/v1/campaigns/:campaignId"
  /** The route's own handlers, in order; the last one is the endpoint */
  readonly handlers: ((...args: any[]) => unknown)[];
}

/** Deps the routes may capture but must never use while being registered. */
function untouchable(name: string): any {
  return new Proxy(
    {},
    {
      get(_target, property) {
        throw new Error(`building the app touched deps.${name}.${String(property)}: routes must only be registered here`);
      },
    },
  );
}

function standInDeps(): AppDeps {
  return {
    config: loadConfig({ ...BASE_TEST_ENV }),
    db: untouchable('db'),
    temporal: untouchable('temporal'),
    secrets: untouchable('secrets'),
    logger: untouchable('logger'),
    graph: untouchable('graph'),
  };
}

/** `/campaigns/:campaignId` → `/campaigns/{campaignId}`; wildcards or optional groups are not expected. */
function toOpenApiPath(expressPath: string): string {
  if (/[*?()[\]{}]/.test(expressPath)) {
    throw new Error(`route ${expressPath} uses an Express path feature this test does not translate; extend toOpenApiPath`);
  }
  return expressPath.replace(/:(\w+)/g, '{$1}');
}

function mountPathOf(layer: Json): string {
  const raw = layer.rawPath ?? layer.path;
  if (typeof raw !== 'string') {
    throw new Error(`a router is mounted on a non-string path (${String(raw)}): extend mountPathOf`);
  }
  return raw === '/' ? '' : raw.replace(/\/$/, '');
}

function registeredRoutes(): RegisteredRoute[] {
  const app = createApp(standInDeps()) as unknown as { router?: { stack: Json[] } };
  if (!app.router?.stack) throw new Error('app.router.stack is missing: is this still Express 5?');
  const routes: RegisteredRoute[] = [];
  const walk = (stack: Json[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const route = layer.route as { path: unknown; methods: Record<string, boolean>; stack: Json[] };
        if (typeof route.path !== 'string') throw new Error(`a route has a non-string path (${String(route.path)})`);
        const expressPath = `${prefix}${route.path}`;
        for (const [method, enabled] of Object.entries(route.methods)) {
          if (!enabled) continue;
          if (method === '_all') throw new Error(`${expressPath} is registered with .all(): document its methods and extend this test`);
          routes.push({
            key: `${method.toUpperCase()} ${toOpenApiPath(expressPath)}`,
            expressPath,
            handlers: route.stack.map((routeLayer) => routeLayer.handle),
          });
        }
      } else if (Array.isArray(layer.handle?.stack)) {
        walk(layer.handle.stack as Json[], `${prefix}${mountPathOf(layer)}`);
      }
    }
  };
  walk(app.router.stack, '');
  return routes;
}

/**
 * The roles a route admits, by running its middleware (everything before the endpoint handler)
 * with a principal of each role: `next()` admits, a thrown FORBIDDEN refuses. Anything else is an
 * unexpected middleware the test cannot judge.
 */
function admittedRoles(route: RegisteredRoute): Role[] {
  const guards = route.handlers.slice(0, -1);
  return ROLES.filter((role) => {
    const req = { principal: { userId: 'probe', role, tenantId: role === 'platform_admin' ? undefined : 'probe-tenant' }, params: {}, query: {} };
    for (const guard of guards) {
      let passed = false;
      try {
        guard(req, {}, (error?: unknown) => {
          if (error !== undefined) throw error;
          passed = true;
        });
      } catch (error) {
        if (error instanceof AppError && error.code === 'FORBIDDEN') return false;
        throw new Error(`${route.key}: middleware ${guard.name || '<anonymous>'} threw ${String(error)} for role ${role}`);
      }
      if (!passed) throw new Error(`${route.key}: middleware ${guard.name || '<anonymous>'} neither admitted nor refused role ${role} synchronously`);
    }
    return true;
  });
}

const routes = registeredRoutes();
const operations = documentedOperations();
const isApiPath = (path: string) => path === '/api/v1' || path.startsWith('/api/v1/');

const listed = (items: string[]) => (items.length === 0 ? '(none)' : `\n  - ${items.join('\n  - ')}`);

// ------------------------------------------------------------------------------------------------

describe('docs/openapi.yaml', () => {
  test('is an OpenAPI 3.1 document with info and paths', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(typeof doc.info?.title).toBe('string');
    expect(typeof doc.info?.version).toBe('string');
    expect(Object.keys(doc.paths ?? {}).length).toBeGreaterThan(0);
  });

  test('the router walk found the app (sanity check of the test itself)', () => {
    const keys = routes.map((route) => route.key);
    expect(keys).toEqual(expect.arrayContaining(['GET /healthz', 'POST /webhooks/meta', 'POST /api/v1/tasks/{taskId}/claims']));
    expect(new Set(keys).size).toBe(keys.length);
  });

  test('every route registered in the app is documented, and every documented operation exists', () => {
    const documented = new Set(operations.map((operation) => operation.key));
    const registered = new Set(routes.map((route) => route.key));
    const undocumented = [...registered].filter((key) => !documented.has(key)).sort();
    const phantom = [...documented].filter((key) => !registered.has(key)).sort();
    expect({ undocumentedRoutes: listed(undocumented), documentedButNotInTheApp: listed(phantom) }).toEqual({
      undocumentedRoutes: listed([]),
      documentedButNotInTheApp: listed([]),
    });
  });

  test('every path parameter is declared, required, and every declared one is in the path', () => {
    const problems: string[] = [];
    for (const { key, path, operation, pathItem } of operations) {
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
      const declared = [...(pathItem.parameters ?? []), ...(operation.parameters ?? [])]
        .map((parameter: Json) => deref(parameter))
        .filter((parameter: Json) => parameter?.in === 'path');
      for (const name of inPath) {
        const parameter = declared.find((candidate: Json) => candidate.name === name);
        if (!parameter) problems.push(`${key}: path parameter {${name}} is not declared`);
        else if (parameter.required !== true) problems.push(`${key}: path parameter {${name}} must be required: true`);
      }
      for (const parameter of declared) {
        if (!inPath.includes(parameter.name)) problems.push(`${key}: declares path parameter "${parameter.name}" that is not in the path`);
      }
    }
    expect(listed(problems)).toBe(listed([]));
  });

  test('every operation has a unique operationId and a 2xx response', () => {
    const problems: string[] = [];
    const seen = new Map<string, string>();
    for (const { key, operation } of operations) {
      const id = operation.operationId;
      if (typeof id !== 'string' || id.length === 0) problems.push(`${key}: no operationId`);
      else if (seen.has(id)) problems.push(`${key}: operationId "${id}" is also used by ${seen.get(id)}`);
      else seen.set(id, key);
      if (!Object.keys(operation.responses ?? {}).some((status) => /^2/.test(status))) problems.push(`${key}: no 2xx response`);
    }
    expect(listed(problems)).toBe(listed([]));
  });

  test('the bearer scheme is HS256 JWT', () => {
    const scheme = doc.components?.securitySchemes?.bearerAuth;
    expect(scheme).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', 'x-jwt-algorithms': ['HS256'] });
  });

  test('every /api/v1 operation declares security and x-roles; public operations declare security: []', () => {
    const problems: string[] = [];
    for (const { key, path, operation } of operations) {
      if (isApiPath(path)) {
        const roles = operation['x-roles'];
        if (!Array.isArray(roles) || roles.length === 0) {
          problems.push(`${key}: no x-roles`);
          continue;
        }
        const unknown = roles.filter((role: unknown) => !(ROLES as readonly unknown[]).includes(role));
        if (unknown.length > 0) problems.push(`${key}: x-roles has unknown role(s) ${unknown.join(', ')} (allowed: ${ROLES.join(', ')})`);
        const security = operation.security;
        if (!Array.isArray(security) || security.length !== 1 || !Array.isArray(security[0]?.bearerAuth)) {
          problems.push(`${key}: security must be [{bearerAuth: [<its x-roles>]}]`);
        } else if ([...security[0].bearerAuth].sort().join() !== [...roles].sort().join()) {
          problems.push(`${key}: security lists [${security[0].bearerAuth.join(', ')}] but x-roles [${roles.join(', ')}]`);
        }
        if (!operation.responses?.['401']) problems.push(`${key}: no 401 response`);
        if (roles.length < ROLES.length && !operation.responses?.['403']) problems.push(`${key}: no 403 response`);
      } else {
        // Public: no JWT. /metrics may name its own optional token scheme (METRICS_TOKEN).
        const usesJwt = !Array.isArray(operation.security) || operation.security.some((requirement: Json) => 'bearerAuth' in requirement);
        if (usesJwt) {
          problems.push(`${key}: a public route must declare security: [] (the document's default is bearerAuth)`);
        }
        if (operation['x-roles'] !== undefined) problems.push(`${key}: a public route has no x-roles`);
      }
    }
    expect(listed(problems)).toBe(listed([]));
  });

  test('x-roles are exactly the roles each route admits', () => {
    const byKey = new Map(operations.map((operation) => [operation.key, operation.operation]));
    const problems: string[] = [];
    for (const route of routes.filter((candidate) => isApiPath(candidate.expressPath))) {
      const documentedRoles = byKey.get(route.key)?.['x-roles'];
      if (!Array.isArray(documentedRoles)) continue; // reported by the tests above
      const admitted = admittedRoles(route);
      if ([...documentedRoles].sort().join() !== [...admitted].sort().join()) {
        problems.push(`${route.key}: the route admits [${admitted.join(', ')}], x-roles says [${documentedRoles.join(', ')}]`);
      }
    }
    expect(listed(problems)).toBe(listed([]));
  });

  test('every $ref resolves', () => {
    const broken = allRefs(doc)
      .filter(({ ref }) => resolvePointer(ref) === undefined)
      .map(({ at, ref }) => `${ref} (at ${at})`);
    expect(listed(broken)).toBe(listed([]));
  });

  test('the ErrorCode schema is the code table of src/http/errors.ts', () => {
    const schema = doc.components?.schemas?.ErrorCode ?? {};
    expect([...(schema.enum ?? [])].sort()).toEqual(Object.keys(ERROR_STATUS).sort());
    expect(schema['x-status']).toEqual(ERROR_STATUS);
  });

  test('every error response uses the error envelope and lists codes whose status is that response', () => {
    const problems: string[] = [];
    for (const { key, operation } of operations) {
      for (const [status, declared] of Object.entries<Json>(operation.responses ?? {})) {
        if (!isErrorStatus(status) || NOT_ENVELOPE.has(`${key} ${status}`)) continue;
        const where = `${key} ${status}`;
        const response = deref(declared);
        const content = response?.content ?? {};
        const types = Object.keys(content);
        if (types.length !== 1 || types[0] !== 'application/json') {
          problems.push(`${where}: content must be application/json only (has ${types.join(', ') || 'none'})`);
        }
        if (!isEnvelopeSchema(content['application/json']?.schema)) {
          problems.push(`${where}: schema is not ${ENVELOPE_REF} (or an allOf of it)`);
        }
        const codes = response?.['x-error-codes'];
        if (!Array.isArray(codes) || codes.length === 0) {
          problems.push(`${where}: no x-error-codes`);
          continue;
        }
        for (const code of codes as string[]) {
          const expected = ERROR_STATUS[code as ErrorCode];
          if (expected === undefined) problems.push(`${where}: x-error-codes names unknown code ${code}`);
          else if (String(expected) !== status) problems.push(`${where}: code ${code} is answered with ${expected}, not ${status}`);
        }
      }
    }
    expect(listed(problems)).toBe(listed([]));
  });

  test('the knowingly non-envelope error answers are still documented', () => {
    const documented = new Set(
      operations.flatMap(({ key, operation }) => Object.keys(operation.responses ?? {}).map((status) => `${key} ${status}`)),
    );
    expect([...NOT_ENVELOPE].filter((entry) => !documented.has(entry))).toEqual([]);
  });

  test('list endpoints document limit/cursor and answer {items, nextCursor}', () => {
    const problems: string[] = [];
    for (const { key, operation } of operations) {
      const body = operation.responses?.['200'] && deref(operation.responses['200']).content?.['application/json']?.schema;
      const schema = body ? deref(body) : undefined;
      const paged = schema?.properties?.items !== undefined || schema?.properties?.nextCursor !== undefined;
      const names = (operation.parameters ?? [])
        .map((parameter: Json) => deref(parameter))
        .filter((p: Json) => p.in === 'query')
        .map((p: Json) => p.name);
      const takesPage = names.includes('limit') || names.includes('cursor');
      if (!paged && !takesPage) continue;
      if (!names.includes('limit') || !names.includes('cursor')) problems.push(`${key}: a paged list takes both limit and cursor`);
      if (!paged || !['items', 'nextCursor'].every((field) => schema?.required?.includes(field))) {
        problems.push(`${key}: a paged list answers {items, nextCursor}, both required`);
      }
    }
    expect(listed(problems)).toBe(listed([]));
  });

  test('enum schemas match the Prisma enums', () => {
    // The document keeps the contract's name for the claim status; the Prisma enum is ClaimStatus.
    const prismaName = new Map([['CompletionStatus', 'ClaimStatus']]);
    const names = [
      'SocialPlatform',
      'SocialActionType',
      'VerificationStrategy',
      'FallbackStrategy',
      'CompletionStatus',
      'VerificationMethod',
      'NotificationStatus',
      'NotificationChannel',
      'WhatsappAccountStatus',
    ] as const;
    const mismatches = names.flatMap((name) => {
      const documented = [...(doc.components?.schemas?.[name]?.enum ?? [])].sort();
      const code = Object.values((prismaEnums as Record<string, Record<string, string>>)[prismaName.get(name) ?? name] ?? {}).sort();
      return documented.join() === code.join() ? [] : [`${name}: documented [${documented.join(', ')}], code [${code.join(', ')}]`];
    });
    expect(listed(mismatches)).toBe(listed([]));
  });
});
