// The load balancer stand-in of the chaos run and the bench (test/chaos/round-robin-proxy.ts): new
// connections go to the backends in turn, and past a backend that refuses them (a killed API).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startRoundRobinProxy } from '../chaos/round-robin-proxy.js';
import { freePort } from '../../src/dev/free-port.js';

const servers: Server[] = [];

async function backend(name: string): Promise<{ port: number; server: Server }> {
  const server = createServer((_req, res) => res.writeHead(200, { connection: 'close' }).end(name));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  servers.push(server);
  return { port: (server.address() as AddressInfo).port, server };
}

const get = async (port: number) => (await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } })).text();

afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
});

test('hands connections to the backends in turn, and skips one that refuses them', async () => {
  const a = await backend('a');
  const b = await backend('b');
  const proxy = await startRoundRobinProxy({ port: await freePort(), backends: [a.port, b.port] });
  try {
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await get(proxy.port));
    expect(answers.sort()).toEqual(['a', 'a', 'b', 'b']);

    await new Promise((resolve) => a.server.close(resolve));
    const afterKill = [];
    for (let i = 0; i < 3; i++) afterKill.push(await get(proxy.port));
    expect(afterKill).toEqual(['b', 'b', 'b']);
  } finally {
    await proxy.close();
  }
});
