// Runs an expensive refresh at most once per interval, however often it is asked for: concurrent
// callers share the run in flight, and callers within the interval of the last start reuse its
// result. The interval counts from the start, so a failing refresh (a database down) is not retried
// on every call either.
export function throttledRefresh(refresh: () => Promise<void>, intervalMs: number, now: () => number = Date.now): () => Promise<void> {
  let lastStart = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<void> | undefined;
  return () => {
    if (inFlight) return inFlight;
    if (now() - lastStart < intervalMs) return Promise.resolve();
    lastStart = now();
    inFlight = refresh().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
}
