// The Temporal CLI dev server for `npm run dev`: state in .data/temporal.db, web UI on 8233, and
// the claim search attributes (TenantId, CampaignId, ClaimStatus) registered, and fairness on
// (per-channel pacing of sends).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { resolveTemporalCli } from '../temporal/binaries.js';
import { FAIRNESS_CLI_ARGS } from '../temporal/fairness.js';
import { SEARCH_ATTRIBUTE_CLI_ARGS } from '../temporal/search-attributes.js';

export interface DevTemporalServer {
  readonly address: string;
  readonly uiUrl: string;
  stop(): Promise<void>;
}

export async function waitForPort(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port }, () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`${host}:${port} did not open within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function startDevTemporalServer(options: { dataDir: string; port: number; uiPort: number }): Promise<DevTemporalServer> {
  const cli = resolveTemporalCli();
  if (!cli) {
    throw new Error('No Temporal CLI found: run `npm run temporal:install`, set TEMPORAL_CLI_PATH, or set TEMPORAL_ADDRESS to use your own server');
  }
  const log = createWriteStream(join(options.dataDir, 'temporal.log'), { flags: 'a' });
  const child: ChildProcess = spawn(
    cli,
    [
      'server',
      'start-dev',
      '--db-filename',
      join(options.dataDir, 'temporal.db'),
      '--ip',
      '127.0.0.1',
      '--port',
      String(options.port),
      '--ui-port',
      String(options.uiPort),
      '--log-level',
      'warn',
      ...SEARCH_ATTRIBUTE_CLI_ARGS,
      ...FAIRNESS_CLI_ARGS,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await Promise.race([
    Promise.all([waitForPort('127.0.0.1', options.port, 60_000), waitForPort('127.0.0.1', options.uiPort, 60_000)]),
    exited.then((code) => {
      throw new Error(`the Temporal dev server exited with code ${code}; see ${join(options.dataDir, 'temporal.log')}`);
    }),
  ]);
  return {
    address: `127.0.0.1:${options.port}`,
    uiUrl: `http://localhost:${options.uiPort}`,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      log.end();
    },
  };
}
