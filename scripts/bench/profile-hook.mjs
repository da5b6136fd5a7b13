// Preloaded into the bench's worker when BENCH_WORKER_PROFILE names a directory: SIGWINCH (the Temporal runtime takes SIGUSR2 as shutdown) starts a
// V8 CPU profile in the main thread and in every worker thread (the SDK runs workflows in one),
// the next SIGWINCH stops them and writes one .cpuprofile per thread, so the profile covers the
// drain only. Plain JavaScript: it loads before tsx.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { isMainThread, threadId } from 'node:worker_threads';

const dir = process.env.BENCH_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  const post = (method, params = {}) =>
    new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  const channel = new BroadcastChannel('bench-cpu-profile');
  channel.unref?.();
  let running = false;
  const toggle = async () => {
    if (!running) {
      running = true;
      await post('Profiler.enable');
      await post('Profiler.setSamplingInterval', { interval: 500 });
      await post('Profiler.start');
      return;
    }
    running = false;
    const { profile } = await post('Profiler.stop');
    writeFileSync(join(dir, `worker-${isMainThread ? 'main' : `thread-${threadId}`}.cpuprofile`), JSON.stringify(profile));
  };
  channel.onmessage = () => void toggle().catch((error) => console.error('profile', error));
  if (isMainThread) {
    process.on('SIGWINCH', () => {
      channel.postMessage('toggle');
      void toggle().catch((error) => console.error('profile', error));
    });
  }
}
