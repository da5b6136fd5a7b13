// The processes the fault-injection run kills and restarts: our API and worker (each a real
// `node --import tsx src/main/*.ts` process, as `npm run api` / `npm run worker` run them), the
// Temporal CLI dev server (same state file across restarts) or the real server (test/chaos/topology.ts),
// and an embedded PostgreSQL.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { startEmbeddedPostgres, type RunningPostgres } from '../../src/db/embedded-postgres.js';
import { waitForPort } from '../../src/dev/dev-temporal-server.js';
import { PROJECT_ROOT, resolveTemporalCli } from '../../src/temporal/binaries.js';
import { FAIRNESS_CLI_ARGS } from '../../src/temporal/fairness.js';
import { SEARCH_ATTRIBUTE_CLI_ARGS } from '../../src/temporal/search-attributes.js';

/** A child process that can be killed (any signal) and started again with the same command. */
export class Restartable {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly log: WriteStream;
  starts = 0;

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: readonly string[],
    private readonly env: NodeJS.ProcessEnv,
    logDir: string,
    private readonly ready: () => Promise<void>,
  ) {
    this.log = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
  }

  /** The running process's id (the benchmark reads its memory) */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    this.starts++;
    this.log.write(`\n--- start #${this.starts} at ${new Date().toISOString()}\n`);
    const child = spawn(this.command, this.args, { cwd: PROJECT_ROOT, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    await Promise.race([
      this.ready(),
      this.exited.then(() => {
        throw new Error(`${this.name} exited during start; see its log`);
      }),
    ]);
  }

  /** Sends `signal` and waits for the process to be gone (SIGTERM: up to `graceMs`, then SIGKILL). */
  async stop(signal: NodeJS.Signals, graceMs = 30_000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.log.write(`--- ${signal} at ${new Date().toISOString()}\n`);
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  async restart(signal: NodeJS.Signals, pauseMs: number): Promise<void> {
    await this.stop(signal);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    await this.start();
  }

  close(): void {
    this.log.end();
  }
}

/** `label` names the log file (api-2.log) when there are several of a kind. */
export function ourProcess(
  name: 'api' | 'worker',
  env: NodeJS.ProcessEnv,
  logDir: string,
  ready: () => Promise<void>,
  label: string = name,
): Restartable {
  return new Restartable(label, process.execPath, ['--import', 'tsx', join('src', 'main', `${name}.ts`)], env, logDir, ready);
}

export function temporalServer(dataDir: string, port: number, logDir: string): Restartable {
  const cli = resolveTemporalCli();
  if (!cli) throw new Error('No Temporal CLI: run npm run temporal:install');
  return new Restartable(
    'temporal',
    cli,
    [
      'server',
      'start-dev',
      '--db-filename',
      join(dataDir, 'temporal.db'),
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--headless',
      '--log-level',
      'error',
      ...SEARCH_ATTRIBUTE_CLI_ARGS,
      ...FAIRNESS_CLI_ARGS,
    ],
    process.env,
    logDir,
    () => waitForPort('127.0.0.1', port, 60_000),
  );
}

/** Embedded PostgreSQL whose server can be stopped and started on the same data directory. */
export class RestartablePostgres {
  private running: RunningPostgres | undefined;

  constructor(
    private readonly dataDir: string,
    readonly port: number,
  ) {}

  async start(): Promise<RunningPostgres> {
    this.running = await startEmbeddedPostgres({ dataDir: this.dataDir, port: this.port, persistent: true });
    return this.running;
  }

  async restart(pauseMs: number): Promise<void> {
    await this.running?.stop();
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    await this.start();
  }

  stop(): Promise<void> {
    return this.running?.stop() ?? Promise.resolve();
  }
}
