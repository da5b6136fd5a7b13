// Summarises V8 .cpuprofile files (from BENCH_WORKER_PROFILE): self time by where the code comes
// from (our activities, Prisma, pg, the Temporal SDK, OpenTelemetry, Node, GC...) and the time
// spent inside each of our functions, children included. Usage:
//   npx tsx scripts/bench/summarise-profile.ts <file.cpuprofile>... [--per <n claims>]
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

const CATEGORIES: [RegExp, string][] = [
  [/node_modules\/@prisma\/|\/generated\/prisma\//, 'Prisma client'],
  [/node_modules\/(pg|pg-protocol|pg-pool|pg-types|postgres-)/, 'pg driver'],
  [/node_modules\/@temporalio\//, 'Temporal SDK'],
  [/node_modules\/@opentelemetry\//, 'OpenTelemetry'],
  [/node_modules\/(pino|thread-stream|sonic-boom)/, 'logging (pino)'],
  [/node_modules\/prom-client/, 'metrics (prom-client)'],
  [/node_modules\/(got|undici|http2-wrapper|cacheable|request-filtering-agent)/, 'outbound HTTP client'],
  [/node_modules\/(tsx|esbuild|source-map)/, 'tsx loader'],
  [/node_modules\/(protobufjs|long)/, 'protobuf'],
  [/node_modules\/zod/, 'zod'],
  [/\/activities\//, 'ours: activities/'],
  [/\/src\/observability\//, 'ours: src/observability/'],
  [/\/src\//, 'ours: src/ (other)'],
  [/\/workflows\/|workflow-bundle/, 'ours: workflows (bundle)'],
  [/^node:|^internal\//, 'Node.js internals'],
  [/node_modules\//, 'other packages'],
];

function category(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (!url) return functionName.startsWith('(') ? functionName : `native: ${functionName || '(anonymous)'}`;
  return CATEGORIES.find(([pattern]) => pattern.test(url))?.[1] ?? 'other';
}

function summarise(file: string, per: number | undefined) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  // Self time per node from samples and their time deltas (µs).
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) self.set(samples[i]!, (self.get(samples[i]!) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0));
  const totalUs = [...self.values()].reduce((a, b) => a + b, 0);
  const idleUs = profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').reduce((sum, n) => sum + (self.get(n.id) ?? 0), 0);
  const busyUs = totalUs - idleUs;
  const ms = (us: number) => (per ? `${(us / 1000 / per).toFixed(2)} ms/claim` : `${(us / 1000).toFixed(0)} ms`);
  const pct = (us: number) => `${((us / busyUs) * 100).toFixed(1)}%`;

  const byCategory = new Map<string, number>();
  for (const [id, us] of self) {
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') continue;
    byCategory.set(category(node), (byCategory.get(category(node)) ?? 0) + us);
  }
  // Inclusive time of our own functions (activities/, src/): each sample counted once per function.
  const inclusive = new Map<string, number>();
  for (const [id, us] of self) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { functionName, url, lineNumber } = byId.get(at)!.callFrame;
      if (!/\/(activities|src)\//.test(url) || /node_modules/.test(url)) continue;
      const key = `${functionName || '(anonymous)'} ${url.replace(/^.*?\/(activities|src)\//, '$1/')}:${lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
  console.log(
    `\n${basename(file)}: ${(busyUs / 1000).toFixed(0)} ms busy of ${(totalUs / 1000).toFixed(0)} ms sampled${per ? `, ${per} claims` : ''}`,
  );
  console.log('  self time by origin:');
  for (const [name, us] of [...byCategory].sort(([, a], [, b]) => b - a).slice(0, 16))
    console.log(`    ${pct(us).padStart(6)}  ${ms(us).padStart(16)}  ${name}`);
  console.log('  our functions, children included:');
  for (const [name, us] of [...inclusive].sort(([, a], [, b]) => b - a).slice(0, 20))
    console.log(`    ${pct(us).padStart(6)}  ${ms(us).padStart(16)}  ${name}`);
}

const args = process.argv.slice(2);
const perIndex = args.indexOf('--per');
const per = perIndex >= 0 ? Number(args[perIndex + 1]) : undefined;
for (const file of args.filter((arg, i) => arg.endsWith('.cpuprofile') && i !== perIndex + 1)) summarise(file, per);
