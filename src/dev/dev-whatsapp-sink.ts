// A stand-in for the platform WhatsApp provider in `npm run dev` when none is configured: it
// accepts the platform provider's `{number, message, instanceId}` body with the dev API key, prints each message
// to the console, and answers like a provider, so a claim's notification visibly "reaches" it.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';

export interface DevWhatsappSink {
  readonly url: string;
  readonly apiKey: string;
  stop(): Promise<void>;
}

export async function startDevWhatsappSink(port: number, print: (line: string) => void): Promise<DevWhatsappSink> {
  const apiKey = 'dev-whatsapp-key';
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method !== 'POST') return reply(405, { error: 'POST only' });
      if (req.headers.authorization !== `Bearer ${apiKey}`) return reply(401, { error: 'invalid API key' });
      let body: { number?: unknown; message?: unknown };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return reply(400, { error: 'invalid JSON' });
      }
      if (typeof body.number !== 'string' || typeof body.message !== 'string') return reply(400, { error: 'number and message are required' });
      const id = `dev-${randomUUID()}`;
      print(`📱 WhatsApp to ${body.number}: ${body.message}`);
      reply(200, { id, status: 'sent' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${port}/send`,
    apiKey,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
