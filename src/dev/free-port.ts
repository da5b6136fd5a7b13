// A TCP port nobody listens on right now, for processes we start on 127.0.0.1.
import { createServer } from 'node:net';

async function tryListen(port: number): Promise<number | undefined> {
  const server = createServer();
  const bound = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (!bound) return undefined;
  const { port: actual } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return actual;
}

export async function isPortFree(port: number): Promise<boolean> {
  return (await tryListen(port)) !== undefined;
}

/** A port the OS picks (from its ephemeral range, 32768 and up on Linux). */
export async function freePort(): Promise<number> {
  const port = await tryListen(0);
  if (port === undefined) throw new Error('no free TCP port on 127.0.0.1');
  return port;
}

/**
 * A free port below 32768: Temporal stores membership ports in a PostgreSQL smallint
 * (cluster_membership.rpc_port), so an ephemeral port makes the server die at start.
 */
export async function freePortBelow32768(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const candidate = 20_000 + Math.floor(Math.random() * 12_000);
    const port = await tryListen(candidate);
    if (port !== undefined) return port;
  }
  throw new Error('no free TCP port between 20000 and 32000 on 127.0.0.1');
}
