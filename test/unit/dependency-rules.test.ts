// The layers' dependency rules, checked over every import of every module:
//   - workflows/ run in Temporal's deterministic sandbox: at runtime they import only Temporal's
//     workflow-safe packages, other workflow code (definitions, activity stubs) and src/domain
//     (plus the search-attribute keys); at compile time also activity *types*.
//   - activities/ never reach into HTTP: not src/features, not src/http; and they export only
//     `create*Activities` factories and types (the logic lives in src/, as src/verification and
//     src/notifications do it).
//   - src/domain/ is pure: no packages, no Node built-ins, no database, no generated code.
//   - src/features/ (HTTP use cases) never import activities/.
//   - src/observability/ observes from outside: never activities/, workflows/ or src/webhooks/.
//   - src/temporal/ (client side: starts, signals, schedules) never imports activities/; the
//     worker that runs them lives in src/worker/.
//   - no import cycle anywhere (type-only imports included): what two modules both need lives in a
//     third (for workflows, their definitions module).
// A second test walks everything the workflow bundle reaches at runtime.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface Import {
  readonly from: string;
  /** A package name, or a path relative to the repository root for our own modules. */
  readonly target: string;
  readonly local: boolean;
  readonly typeOnly: boolean;
}

/** Import specifiers of a module, each marked type-only (`import type` / `export type`) or runtime. */
function importsOf(source: string): { specifier: string; typeOnly: boolean }[] {
  const found: { specifier: string; typeOnly: boolean }[] = [];
  const pattern = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
  for (const match of source.matchAll(pattern)) found.push({ specifier: match[3]!, typeOnly: Boolean(match[2]) });
  for (const match of source.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push({ specifier: match[1]!, typeOnly: false });
  return found;
}

function resolveImport(file: string, specifier: string, typeOnly: boolean): Import {
  const from = relative(ROOT, file);
  if (!specifier.startsWith('.')) return { from, target: specifier, local: false, typeOnly };
  const target = relative(ROOT, resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
  return { from, target, local: true, typeOnly };
}

function sourceFiles(dir: string): string[] {
  const full = join(ROOT, dir);
  return readdirSync(full).flatMap((name) => {
    const path = join(full, name);
    if (statSync(path).isDirectory()) return name === 'generated' ? [] : sourceFiles(join(dir, name));
    return name.endsWith('.ts') ? [path] : [];
  });
}

const ALL_IMPORTS: Import[] = ['src', 'activities', 'workflows'].flatMap((dir) =>
  sourceFiles(dir).flatMap((file) =>
    importsOf(readFileSync(file, 'utf8')).map(({ specifier, typeOnly }) => resolveImport(file, specifier, typeOnly)),
  ),
);

const SANDBOX_PACKAGES = new Set(['@temporalio/workflow', '@temporalio/common']);
/** Our modules that may run inside the workflow sandbox. The search-attribute keys are Temporal names, like definitions. */
const SANDBOX_LOCAL = [/^workflows\//, /^src\/domain\//, /^src\/temporal\/search-attributes\.ts$/];
const under = (prefix: string) => (path: string) => path.startsWith(prefix);

interface Rule {
  readonly name: string;
  readonly applies: (from: string) => boolean;
  /** Why an import breaks the rule, or undefined when it is fine. */
  readonly breaks: (imported: Import) => string | undefined;
}

const RULES: Rule[] = [
  {
    name: 'workflows import only the sandbox-safe modules at runtime, and activity types',
    applies: under('workflows/'),
    breaks: (imported) => {
      if (!imported.local) return SANDBOX_PACKAGES.has(imported.target) ? undefined : `package "${imported.target}"`;
      if (SANDBOX_LOCAL.some((pattern) => pattern.test(imported.target))) return undefined;
      if (imported.typeOnly && imported.target.startsWith('activities/')) return undefined;
      return imported.typeOnly ? `types of ${imported.target} (only activities/ types)` : `${imported.target} at runtime`;
    },
  },
  {
    name: 'activities never import HTTP code',
    applies: under('activities/'),
    breaks: (imported) => (imported.local && /^src\/(features|http)\//.test(imported.target) ? imported.target : undefined),
  },
  {
    name: 'src/domain is pure: no packages, no I/O, no generated code',
    applies: under('src/domain/'),
    breaks: (imported) => {
      if (!imported.local) return `package "${imported.target}"`;
      return imported.target.startsWith('src/domain/') ? undefined : imported.target;
    },
  },
  {
    name: 'observability never imports activities, workflows or webhook processing',
    applies: under('src/observability/'),
    breaks: (imported) => (imported.local && /^(activities|workflows|src\/webhooks)\//.test(imported.target) ? imported.target : undefined),
  },
  {
    name: 'the client side of Temporal never imports activities',
    applies: under('src/temporal/'),
    breaks: (imported) => (imported.local && imported.target.startsWith('activities/') ? imported.target : undefined),
  },
  {
    name: 'HTTP use cases never import activities',
    applies: under('src/features/'),
    breaks: (imported) => (imported.local && imported.target.startsWith('activities/') ? imported.target : undefined),
  },
];

test.each(RULES.map((rule) => [rule.name, rule] as const))('%s', (_name, rule) => {
  const checked = ALL_IMPORTS.filter((imported) => rule.applies(imported.from));
  const violations = checked.flatMap((imported) => {
    const reason = rule.breaks(imported);
    return reason ? [`${imported.from} imports ${reason}`] : [];
  });
  expect(violations).toEqual([]);
  // Not vacuous: every rule sees imports.
  expect(checked.length).toBeGreaterThan(0);
});

test('the rules catch what they forbid', () => {
  const probe = (from: string, target: string, local = true, typeOnly = false) =>
    RULES.filter((rule) => rule.applies(from) && rule.breaks({ from, target, local, typeOnly })).map((rule) => rule.name);
  expect(probe('workflows/x.ts', 'got', false)).toHaveLength(1);
  expect(probe('workflows/x.ts', 'src/db/client.ts')).toHaveLength(1);
  expect(probe('workflows/x.ts', 'src/webhooks/processing-result.ts', true, true)).toHaveLength(1);
  expect(probe('workflows/x.ts', 'activities/claim-types.ts', true, true)).toEqual([]);
  expect(probe('workflows/x.ts', 'activities/claims.ts')).toHaveLength(1);
  expect(probe('activities/x.ts', 'src/features/settings/routes.ts')).toHaveLength(1);
  expect(probe('activities/x.ts', 'src/http/errors.ts', true, true)).toHaveLength(1);
  expect(probe('src/domain/x.ts', 'node:crypto', false)).toHaveLength(1);
  expect(probe('src/domain/x.ts', 'src/generated/prisma/enums.ts', true, true)).toHaveLength(1);
  expect(probe('src/features/x/y.ts', 'activities/notifications.ts')).toHaveLength(1);
  expect(probe('src/features/x/y.ts', 'src/temporal/claim-starter.ts')).toEqual([]);
  expect(probe('src/observability/x.ts', 'activities/notifications.ts')).toHaveLength(1);
  expect(probe('src/observability/x.ts', 'workflows/definitions.ts', true, true)).toHaveLength(1);
  expect(probe('src/observability/x.ts', 'src/webhooks/account-events.ts')).toHaveLength(1);
  expect(probe('src/observability/x.ts', 'src/domain/statuses.ts')).toEqual([]);
  expect(probe('src/temporal/x.ts', 'activities/index.ts')).toHaveLength(1);
  expect(probe('src/worker/worker.ts', 'activities/index.ts')).toEqual([]);
});

/** What a module exports at runtime other than `create*Activities` factories (types are erased, so always fine). */
function exportsBesidesActivityFactories(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(
    /^\s*export\s+(?!type\b|interface\b)(?:declare\s+)?(default\b|async\s+function\*?|function\*?|const|let|var|class|enum|abstract\s+class|\*|\{[^}]*\})\s*([A-Za-z0-9_$]*)/gm,
  )) {
    const [, kind, name] = match;
    if (/function/.test(kind!) && /^create[A-Za-z0-9]*Activities$/.test(name!)) continue;
    if (kind!.startsWith('{')) {
      const names = kind!
        .slice(1, -1)
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== '' && !part.startsWith('type '));
      const runtime = names.filter((part) => !/^create[A-Za-z0-9]*Activities$/.test(part.split(/\s+as\s+/).pop()!));
      if (runtime.length > 0) found.push(`export { ${runtime.join(', ')} }`);
      continue;
    }
    found.push(kind === 'default' ? 'export default' : `export ${kind} ${name}`);
  }
  return found;
}

test('activities/ exports only create*Activities factories and types', () => {
  const files = sourceFiles('activities');
  const offenders = files.flatMap((file) =>
    exportsBesidesActivityFactories(readFileSync(file, 'utf8')).map((what) => `${relative(ROOT, file)}: ${what}`),
  );
  expect(offenders).toEqual([]);
  // Not vacuous: the activities are there.
  expect(files.map((file) => relative(ROOT, file))).toEqual(expect.arrayContaining(['activities/notifications.ts', 'activities/verification.ts']));
});

test('the activities export check tells factories and types from everything else', () => {
  const source = [
    'export function createClaimActivities(deps: Deps) {}',
    'export interface Snapshot { a: string }',
    "export type Plan = 'a' | 'b';",
    "export type { X } from './x.js';",
    "export { createOtherActivities } from './other.js';",
    'export async function helper() {}',
    'export const LIMIT = 3;',
    'export class Gate {}',
    "export { value, type Y, createAActivities as createBActivities } from './y.js';",
    'export default 1;',
  ].join('\n');
  expect(exportsBesidesActivityFactories(source)).toEqual([
    'export async function helper',
    'export const LIMIT',
    'export class Gate',
    'export { value }',
    'export default',
  ]);
});

/** Every import cycle among our modules (strongly connected components of more than one module, or a module importing itself). */
function importCycles(imports: readonly Import[]): string[][] {
  const graph = new Map<string, string[]>();
  for (const { from, target, local } of imports) {
    if (!graph.has(from)) graph.set(from, []);
    if (local) graph.get(from)!.push(target);
  }
  // Tarjan's algorithm, iterative enough for our depth.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (module: string) => {
    index.set(module, counter);
    low.set(module, counter);
    counter++;
    stack.push(module);
    onStack.add(module);
    for (const next of graph.get(module) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(module, Math.min(low.get(module)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(module, Math.min(low.get(module)!, index.get(next)!));
      }
    }
    if (low.get(module) !== index.get(module)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== module);
    if (component.length > 1 || graph.get(module)!.includes(module)) cycles.push(component.sort());
  };
  for (const module of graph.keys()) if (!index.has(module)) visit(module);
  return cycles;
}

test('no import cycles, type-only imports included', () => {
  expect(importCycles(ALL_IMPORTS)).toEqual([]);
  // Not vacuous: the graph covers the three trees.
  expect(new Set(ALL_IMPORTS.map((imported) => imported.from.split('/')[0]))).toEqual(new Set(['src', 'activities', 'workflows']));
});

test('the cycle check finds a loop through type-only imports', () => {
  const edge = (from: string, target: string, typeOnly = false): Import => ({ from, target, local: true, typeOnly });
  expect(importCycles([edge('a.ts', 'b.ts'), edge('b.ts', 'c.ts', true), edge('c.ts', 'a.ts'), edge('c.ts', 'd.ts')])).toEqual([
    ['a.ts', 'b.ts', 'c.ts'],
  ]);
  expect(importCycles([edge('a.ts', 'b.ts'), edge('b.ts', 'c.ts')])).toEqual([]);
});

/** Everything the worker's workflow bundle reaches at runtime, following runtime imports only. */
function reachableAtRuntime(entry: string): { modules: string[]; outside: string[] } {
  const seen = new Set<string>();
  const outside: string[] = [];
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const { specifier, typeOnly } of importsOf(readFileSync(join(ROOT, file), 'utf8'))) {
      if (typeOnly) continue; // erased at compile time
      const imported = resolveImport(join(ROOT, file), specifier, false);
      if (!imported.local) {
        if (!SANDBOX_PACKAGES.has(imported.target)) outside.push(`${file} imports package "${imported.target}"`);
      } else if (SANDBOX_LOCAL.some((pattern) => pattern.test(imported.target))) {
        queue.push(imported.target);
      } else {
        outside.push(`${file} imports ${imported.target} at runtime`);
      }
    }
  }
  return { modules: [...seen], outside };
}

test('workflow code reaches only sandbox-safe modules at runtime', () => {
  const { modules, outside } = reachableAtRuntime('workflows/index.ts');
  expect(outside).toEqual([]);
  // Not vacuous: the walk really followed the workflows into their pure dependencies.
  expect(modules).toEqual(
    expect.arrayContaining([
      'workflows/verify-social-task-claim.ts',
      'workflows/claim/notify-loop.ts',
      'workflows/refresh-whatsapp-token.ts',
      'workflows/process-meta-webhook.ts',
      'src/domain/statistical-approval.ts',
      'src/domain/statuses.ts',
    ]),
  );
});

test('the import scanner tells type-only imports from runtime ones', () => {
  const source = [
    "import type { X } from '../activities/claims.js';",
    "import { proxyActivities } from '@temporalio/workflow';",
    "import got from 'got';",
    "export { y } from './y.js';",
    "export type { Z } from './z.js';",
  ].join('\n');
  expect(importsOf(source)).toEqual([
    { specifier: '../activities/claims.js', typeOnly: true },
    { specifier: '@temporalio/workflow', typeOnly: false },
    { specifier: 'got', typeOnly: false },
    { specifier: './y.js', typeOnly: false },
    { specifier: './z.js', typeOnly: true },
  ]);
});
