// Keeps the workflow sandbox clean: everything reachable from workflows/ at runtime may only use
// Temporal's workflow-safe packages and our pure modules. Activities are imported as types only;
// Node built-ins, Prisma, HTTP clients and config never enter a workflow bundle.
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ALLOWED_PACKAGES = new Set(['@temporalio/workflow', '@temporalio/common']);
/** Our own directories whose modules may run inside the sandbox. */
const ALLOWED_LOCAL = [/^workflows\//, /^src\/domain\//, /^src\/temporal\/search-attributes\.ts$/];

/** Runtime (non type-only) import specifiers of a module. */
function runtimeImports(source: string): string[] {
  const specifiers: string[] = [];
  const pattern = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
  for (const match of source.matchAll(pattern)) {
    if (match[2]) continue; // `import type` / `export type` vanish at compile time
    specifiers.push(match[3]!);
  }
  for (const match of source.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) specifiers.push(match[1]!);
  return specifiers;
}

function reachableFrom(entry: string): { modules: string[]; violations: string[] } {
  const seen = new Set<string>();
  const violations: string[] = [];
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const from = relative(ROOT, file);
    for (const specifier of runtimeImports(readFileSync(file, 'utf8'))) {
      if (!specifier.startsWith('.')) {
        if (!ALLOWED_PACKAGES.has(specifier)) violations.push(`${from} imports package "${specifier}"`);
        continue;
      }
      const target = resolve(dirname(file), specifier.replace(/\.js$/, '.ts'));
      const local = relative(ROOT, target);
      if (!ALLOWED_LOCAL.some((pattern) => pattern.test(local))) {
        violations.push(`${from} imports ${local} at runtime (only workflows/, src/domain/ and search attributes may run in the sandbox)`);
        continue;
      }
      queue.push(target);
    }
  }
  return { modules: [...seen].map((file) => relative(ROOT, file)), violations };
}

test('workflow code reaches only sandbox-safe modules at runtime', () => {
  const { modules, violations } = reachableFrom(join(ROOT, 'workflows', 'index.ts'));
  expect(violations).toEqual([]);
  // Not vacuous: the walk really followed the workflows into their pure dependencies.
  expect(modules).toEqual(expect.arrayContaining([
    'workflows/verify-social-task-claim.ts',
    'workflows/refresh-whatsapp-token.ts',
    'workflows/process-meta-webhook.ts',
    'src/domain/statistical-approval.ts',
  ]));
});

test('the import scanner tells type-only imports from runtime ones', () => {
  const source = [
    "import type { X } from '../activities/claims.js';",
    "import { proxyActivities } from '@temporalio/workflow';",
    "import got from 'got';",
    "export { y } from './y.js';",
    "export type { Z } from './z.js';",
  ].join('\n');
  expect(runtimeImports(source)).toEqual(['@temporalio/workflow', 'got', './y.js']);
});
