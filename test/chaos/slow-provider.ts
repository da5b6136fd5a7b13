// A waapi-style WhatsApp provider that is slow to answer: it "sends" every message it receives at
// once (counted per recipient, so duplicates are visible) and answers 200-1,200 ms later, so
// requests are in flight when the worker is killed. A sender that died mid-request still sent.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlowProvider {
  readonly url: string;
  /** Messages received per recipient number */
  readonly received: Map<string, number>;
  /** When each request arrived (ms since the epoch), in order */
  readonly arrivals: number[];
  /** Requests received but not answered yet */
  inFlight(): number;
  close(): Promise<void>;
}

export async function startSlowProvider(): Promise<SlowProvider> {
  const received = new Map<string, number>();
  const arrivals: number[] = [];
  let inFlight = 0;
  let counter = 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let number = '';
      try {
        number = String((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { number?: unknown }).number ?? '');
      } catch {
        response.writeHead(400).end();
        return;
      }
      received.set(number, (received.get(number) ?? 0) + 1);
      arrivals.push(Date.now());
      inFlight++;
      const id = `slow-${++counter}`;
      setTimeout(
        () => {
          inFlight--;
          if (!response.destroyed) response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id }));
        },
        200 + Math.floor(Math.random() * 1_000),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`,
    received,
    arrivals,
    inFlight: () => inFlight,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
