import type { Logger } from '../logger.js';

/** Runs `sweep` every `intervalMs`, one pass at a time, without keeping the process alive. */
export function runPeriodically(name: string, sweep: () => Promise<unknown>, intervalMs: number, logger: Logger): { stop(): void } {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweep()
      .catch((error: unknown) => logger.warn({ err: error }, `${name} failed`))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
