// The bench's figures: printed as they are measured (`FIGURE [topology] …`) and kept per topology,
// so that a run over several topologies (BENCH_TOPOLOGIES=dev,cluster) ends with each figure's
// topologies side by side. Outside a topology (a phase in its own child process, or before
// `measuring`) a figure is printed as `FIGURE …` and not kept. Figures are matched by their text up to the first measured number (and
// their order among figures that share it), so any phase's figures line up without registering
// anything.

const byTopology = new Map<string, string[]>();
let current: string | undefined;

/** Figures from now on belong to `topology` (undefined: to none). */
export function measuring(topology: string | undefined): void {
  current = topology;
  if (topology !== undefined && !byTopology.has(topology)) byTopology.set(topology, []);
}

export function figure(line: string): void {
  if (current === undefined) {
    console.log(`FIGURE ${line}`);
    return;
  }
  byTopology.get(current)?.push(line);
  console.log(`FIGURE [${current}] ${line}`);
}

/** A measured number, negative too: not one that is part of a name (WORKERS=2, worker-2). */
const NUMBER = /(?<![=\w-])-?\d+(?:,\d{3})*(?:\.\d+)?/;
const firstNumber = (line: string) => line.match(NUMBER)?.[0] ?? '-';

/** Each line keyed by its text before the first number, plus `#n` for the n-th line with that text. */
function keyed(lines: readonly string[]): Map<string, string> {
  const seen = new Map<string, number>();
  const result = new Map<string, string>();
  for (const line of lines) {
    const prefix = line.split(NUMBER)[0]!.trim();
    const n = (seen.get(prefix) ?? 0) + 1;
    seen.set(prefix, n);
    result.set(n === 1 ? prefix : `${prefix} #${n}`, line);
  }
  return result;
}

/**
 * Each figure's topologies next to each other: first a table of each figure's first number, then
 * the lines in full. Nothing when only one topology was measured (its lines were printed as they came).
 */
export function printSideBySide(): void {
  const topologies = [...byTopology.keys()];
  if (topologies.length < 2) return;
  const tables = topologies.map((name) => keyed(byTopology.get(name)!));
  // Every topology's figures in their measured order: one only some topologies have (Temporal's
  // PostgreSQL on the cluster) goes right after the figure it followed there.
  const keys: string[] = [];
  for (const table of tables) {
    let previous = -1;
    for (const key of table.keys()) {
      const at = keys.indexOf(key);
      if (at >= 0) {
        previous = at;
      } else {
        previous += 1;
        keys.splice(previous, 0, key);
      }
    }
  }
  const width = Math.max(...topologies.map((name) => name.length));
  console.log(`\nSIDE BY SIDE: ${topologies.join(' | ')} (first number of each figure)`);
  for (const key of keys) {
    const cells = tables.map((table) => firstNumber(table.get(key) ?? '-').padStart(10));
    console.log(`  ${cells.join(' | ')}   ${key.slice(0, 100)}`);
  }
  for (const key of keys) {
    console.log('');
    for (const [i, name] of topologies.entries()) console.log(`  ${name.padEnd(width)}  ${tables[i]!.get(key) ?? '(not measured)'}`);
  }
}
