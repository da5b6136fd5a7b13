// What the bench reads of processes from /proc: CPU time (a figure per claim that load on the
// machine barely moves, unlike wall-clock rates) and resident memory.
import { readdirSync, readFileSync } from 'node:fs';

/** CPU seconds (user + system, children included) of a process and all its live descendants. */
export function cpuSeconds(root: number | undefined): number {
  if (!root) return NaN;
  const tick = 100; // USER_HZ on Linux
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      // fields[0] is state (field 3): ppid is field 4, utime..cstime fields 14..17
      stats.set(Number(entry), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]) });
    } catch {
      // exited while we looked
    }
  }
  let total = 0;
  const pending = [root];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    total += stats.get(pid)?.ticks ?? 0;
    for (const [child, stat] of stats) if (stat.ppid === pid) pending.push(child);
  }
  return total / tick;
}

/** The postmaster serving `dataDir` (embedded PostgreSQL runs as another user, not our child). */
export function postmasterPid(dataDir: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(dataDir)) return Number(entry);
    } catch {
      // exited
    }
  }
  return undefined;
}

/** CPU seconds per process group, for "where the time goes". */
export function cpuSnapshot(pids: Record<string, number | undefined>): Record<string, number> {
  return Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
}

/** Milliseconds of CPU per unit of work (claim, workflow) each process used between two snapshots. */
export function cpuMsPer(before: Record<string, number>, after: Record<string, number>, units: number): Record<string, number> {
  return Object.fromEntries(Object.keys(after).map((name) => [name, ((after[name]! - (before[name] ?? 0)) * 1000) / units]));
}

export function cpuLine(before: Record<string, number>, after: Record<string, number>, seconds: number, claims: number): string {
  const parts = Object.keys(after).map((name) => {
    const used = after[name]! - (before[name] ?? 0);
    return Number.isNaN(used)
      ? `${name} n/a`
      : `${name} ${((used * 1000) / claims).toFixed(1)} ms/claim (${((used / seconds) * 100).toFixed(0)}% of a core)`;
  });
  return `${parts.join(', ')} over ${seconds.toFixed(1)} s`;
}

export function rssMb(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return Number(line?.match(/(\d+)/)?.[1] ?? NaN) / 1024;
  } catch {
    return NaN;
  }
}

/**
 * CPU seconds of one process by thread kind (its threads' names, /proc/<pid>/task/<tid>/comm):
 * Node's main thread is "node", the SDK's workflow thread and other worker threads "WorkerThread"
 * or "node", Temporal core's Rust runtime "tokio-runtime-w", V8's GC and compiler helpers "V8 ...".
 * Threads that exited meanwhile are missing, so compare snapshots of a long-lived process only.
 */
export function threadCpuSeconds(pid: number | undefined): Record<string, number> {
  if (!pid) return {};
  const byKind: Record<string, number> = {};
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return {};
  }
  for (const tid of tids) {
    try {
      const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const text = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      const kind = tid === String(pid) ? 'main' : comm.replace(/[-\s]?\d+$/, '');
      byKind[kind] = (byKind[kind] ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // exited while we looked
    }
  }
  return byKind;
}
