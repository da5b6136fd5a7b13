// Our figures beside the floor's (scripts/bench/floor.ts), each with its ratio ours / floor and
// the target it is held to. The floor is the mean of its runs in this invocation (before and
// after ours), so both sides saw the same server, the same machine and nearly the same load.
import type { FloorFigures, MemoryFigures } from './floor.js';
import { figure } from './report.js';

export interface OurFigures {
  readonly label: string;
  readonly drain: { readonly claims: number; readonly perSecond: number; readonly cpuMsPerClaim: Record<string, number> };
  readonly historyEvents: number;
  readonly rss: MemoryFigures;
}

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

function meanOf(runs: readonly FloorFigures[]) {
  const cpu = (name: string) => mean(runs.map((run) => run.drain.cpuMsPerWorkflow[name] ?? NaN));
  return {
    perSecond: mean(runs.map((run) => run.drain.perSecond)),
    cpu,
    startCpu: (name: string) => mean(runs.map((run) => run.start.cpuMsPerWorkflow[name] ?? NaN)),
    historyEvents: mean(runs.map((run) => run.historyEvents)),
    perCachedMb: mean(runs.map((run) => run.rss.perCachedMb)),
  };
}

const n = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const ratio = (ours: number, floor: number) => (Number.isFinite(ours) && Number.isFinite(floor) && floor > 0 ? (ours / floor).toFixed(2) : 'n/a');

export function printFloorRun(label: string, run: FloorFigures): void {
  const cpu = (figures: Record<string, number>) =>
    Object.entries(figures)
      .map(([name, ms]) => `${name} ${n(ms)} ms`)
      .join(', ');
  figure(
    `floor ${label}: ${run.drain.workflows} bare workflows; start to waiting ${n(run.start.seconds)} s (CPU per workflow ${cpu(run.start.cpuMsPerWorkflow)}); ` +
      `drain ${n(run.drain.perSecond)}/s in ${n(run.drain.seconds)} s (CPU per workflow ${cpu(run.drain.cpuMsPerWorkflow)}); ` +
      `history ${run.historyEvents} events; worker RSS ${n(run.rss.idleMb, 0)} MB idle, ${n(run.rss.waitingMb, 0)} MB waiting, ${n(run.rss.perCachedMb, 2)} MB per cached workflow (${run.rss.cached} cached)`,
  );
}

export function printComparison(ours: OurFigures, runs: readonly FloorFigures[]): void {
  if (runs.length === 0) return;
  const floor = meanOf(runs);
  const row = (name: string, oursValue: number, floorValue: number, unit: string, target: string, digits = 1) =>
    figure(
      `${ours.label}${name}: ours ${n(oursValue, digits)}${unit}, floor ${n(floorValue, digits)}${unit}, ours/floor ${ratio(oursValue, floorValue)} (${target})`,
    );
  row('drain rate', ours.drain.perSecond, floor.perSecond, '/s', 'target ≥ 0.90');
  row('Temporal server CPU per claim (drain)', ours.drain.cpuMsPerClaim.temporal ?? NaN, floor.cpu('temporal'), ' ms', 'target ≤ 1.30');
  row('worker CPU per sent claim (drain)', ours.drain.cpuMsPerClaim.worker ?? NaN, floor.cpu('worker'), ' ms', 'target ≤ 1.50');
  if ('temporal-postgres' in ours.drain.cpuMsPerClaim) {
    row(
      "Temporal's PostgreSQL CPU per claim (drain)",
      ours.drain.cpuMsPerClaim['temporal-postgres'] ?? NaN,
      floor.cpu('temporal-postgres'),
      ' ms',
      'no target',
    );
  }
  row('PostgreSQL CPU per claim (drain)', ours.drain.cpuMsPerClaim.postgres ?? NaN, floor.cpu('postgres'), ' ms', 'no target');
  row('history events per claim', ours.historyEvents, floor.historyEvents, '', 'target: ours ≤ 20', 0);
  row('worker RSS per cached workflow', ours.rss.perCachedMb, floor.perCachedMb, ' MB', 'target: ours ≤ 1 MB', 2);
  figure(
    `${ours.label}floor: mean of ${runs.length} run(s) of ${runs[0]!.drain.workflows} bare workflows (${runs.map((run) => `${n(run.drain.perSecond)}/s`).join(', ')}); ` +
      `API CPU during our drain ${n(ours.drain.cpuMsPerClaim.api ?? NaN)} ms per claim (the floor has no API)`,
  );
}
