// A load balancer stand-in for several API processes (test tooling, not product code): a TCP proxy
// on one port that hands each new connection to the next backend in turn, and skips a backend that
// refuses the connection (a killed API) by trying the next one.
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface RoundRobinProxy {
  readonly port: number;
  /** Connections handed to each backend so far */
  readonly connections: number[];
  close(): Promise<void>;
}

export async function startRoundRobinProxy(options: { port: number; backends: readonly number[]; host?: string }): Promise<RoundRobinProxy> {
  const host = options.host ?? '127.0.0.1';
  const connections = options.backends.map(() => 0);
  const sockets = new Set<Socket>();
  let next = 0;

  const dial = (client: Socket, attemptsLeft: number) => {
    const index = next++ % options.backends.length;
    const upstream = connect({ host, port: options.backends[index]! });
    sockets.add(upstream);
    upstream.once('close', () => sockets.delete(upstream));
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      connections[index]!++;
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      upstream.pipe(client);
      client.pipe(upstream);
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
      client.resume();
    });
    upstream.once('error', (error) => {
      if (!connected) {
        upstream.destroy();
        if (attemptsLeft > 1) dial(client, attemptsLeft - 1);
        else client.destroy(error);
      }
    });
  };

  const server: Server = createServer({ pauseOnConnect: true }, (client) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    dial(client, options.backends.length);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  return {
    port: options.port,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
