// Small helpers the bench's phases share (figures: scripts/bench/report.ts; free ports: src/dev/free-port.ts).

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const say = (line: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);

export async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, intervalMs = 250): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(intervalMs);
  }
  return false;
}

/** Runs `work(i)` for i in [0, n) with `concurrency` in flight; returns the rate per second. */
export async function atConcurrency(n: number, concurrency: number, work: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await work(next++);
    }),
  );
  return n / ((Date.now() - started) / 1000);
}

/** The sum of a Prometheus metric's samples (all label sets) on an exposition endpoint; NaN when absent. */
export async function prometheusSum(url: string, name: string): Promise<number> {
  try {
    const text = await (await fetch(url, { signal: AbortSignal.timeout(5_000) })).text();
    const samples = text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
    if (samples.length === 0) return NaN;
    return samples.reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
  } catch {
    return NaN;
  }
}
