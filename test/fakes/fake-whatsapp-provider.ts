// A waapi-style WhatsApp provider on a real local HTTP server, standing in for a tenant's custom provider
// or the platform default. POST to any path (`url`, or `sendUrl` for a realistic one):
//   - `Authorization: Bearer <apiKey>` or 401 `{status:'error', message}`;
//   - body `{number: digits, message: non-empty string, sender?: string, instanceId?: string}` or 400;
//   - when the fake was given an `instanceId`, the body must name it, or 404 (unknown instance);
//   - otherwise 200 `{id: 'msg-<n>'}`, and the message is recorded in `sent`.
// `scriptReplies(...)` overrides the next N answers (status, body, headers, delay, or hold until
// released). A scripted answer that a real provider would give after sending (2xx, a delay or a hold,
// or `recordAsSent: true`) still records a valid, authorized message in `sent`: a provider that
// times out on us may well have delivered the message, and tests must be able to see that.
import { startFakeHttpServer, type FakeReply, type RecordedRequest } from '../support/fake-http-server.js';

export interface SentWhatsappMessage {
  readonly id: string;
  readonly path: string;
  readonly number: string;
  readonly message: string;
  readonly sender: string | undefined;
  readonly instanceId: string | undefined;
}

export interface ScriptedWhatsappReply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** answer after this long (to outlast a client timeout) */
  delayMs?: number;
  /** do not answer until `releaseHeld()` or `close()`: a timeout without timing in the test */
  hold?: boolean;
  /** whether the provider "sent" the message; default: 2xx, delayMs or hold */
  recordAsSent?: boolean;
}

export interface FakeWhatsappProvider {
  /** base URL; any path is accepted */
  readonly url: string;
  /** `${url}/api/send-message` */
  readonly sendUrl: string;
  readonly apiKey: string;
  /** messages the provider accepted (and would have delivered), in order */
  readonly sent: SentWhatsappMessage[];
  /** every request received, valid or not */
  readonly requests: RecordedRequest[];
  /** the next N requests get these answers, in order, instead of the normal ones */
  scriptReplies(...replies: ScriptedWhatsappReply[]): void;
  /** answer the requests waiting on a `hold` reply */
  releaseHeld(): void;
  close(): Promise<void>;
}

type Validated = { ok: true; message: Omit<SentWhatsappMessage, 'id' | 'path'> } | { ok: false; reply: FakeReply };

const isOptionalString = (value: unknown): value is string | undefined => value === undefined || typeof value === 'string';

function validate(request: RecordedRequest, apiKey: string, instanceId: string | undefined): Validated {
  if (request.method !== 'POST') return { ok: false, reply: { status: 405, body: { status: 'error', message: 'method not allowed' } } };
  if (request.headers.authorization !== `Bearer ${apiKey}`) {
    return { ok: false, reply: { status: 401, body: { status: 'error', message: 'invalid or missing API token' } } };
  }
  const body = request.body as Record<string, unknown> | string;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, reply: { status: 400, body: { status: 'error', message: 'expected a JSON object body' } } };
  }
  const { number, message, sender, instanceId: bodyInstanceId, ...extra } = body;
  const problems = [
    typeof number === 'string' && /^[1-9]\d{6,14}$/.test(number) ? undefined : 'number must be the phone as digits (country code first)',
    typeof message === 'string' && message.trim() ? undefined : 'message must be a non-empty string',
    isOptionalString(sender) ? undefined : 'sender must be a string',
    isOptionalString(bodyInstanceId) ? undefined : 'instanceId must be a string',
    Object.keys(extra).length === 0 ? undefined : `unexpected fields: ${Object.keys(extra).join(', ')}`,
  ].filter((problem) => problem !== undefined);
  if (problems.length > 0) return { ok: false, reply: { status: 400, body: { status: 'error', message: problems.join('; ') } } };
  if (instanceId !== undefined && bodyInstanceId !== instanceId) {
    return { ok: false, reply: { status: 404, body: { status: 'error', message: 'instance not found' } } };
  }
  return {
    ok: true,
    message: {
      number: number as string,
      message: message as string,
      sender: sender as string | undefined,
      instanceId: bodyInstanceId as string | undefined,
    },
  };
}

export async function startFakeWhatsappProvider(options: { apiKey: string; instanceId?: string }): Promise<FakeWhatsappProvider> {
  const { apiKey, instanceId } = options;
  const sent: SentWhatsappMessage[] = [];
  const script: ScriptedWhatsappReply[] = [];
  const held: (() => void)[] = [];
  let counter = 0;

  const record = (request: RecordedRequest, message: Omit<SentWhatsappMessage, 'id' | 'path'>): string => {
    counter += 1;
    const id = `msg-${counter}`;
    sent.push({ id, path: request.path, ...message });
    return id;
  };
  const releaseHeld = () => {
    for (const release of held.splice(0)) release();
  };
  // Delays are served here rather than by the HTTP server, so close() can cut them short instead of
  // leaving a timer that keeps jest alive.
  const delays = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const pending = {
        timer: setTimeout(() => {
          delays.delete(pending);
          resolve();
        }, ms),
        resolve,
      };
      delays.add(pending);
    });
  const cancelDelays = () => {
    for (const pending of delays) {
      clearTimeout(pending.timer);
      pending.resolve();
    }
    delays.clear();
  };

  const server = await startFakeHttpServer(async (request) => {
    const validated = validate(request, apiKey, instanceId);
    const scripted = script.shift();
    if (!scripted) {
      if (!validated.ok) return validated.reply;
      return { status: 200, body: { id: record(request, validated.message) } };
    }
    const status = scripted.status ?? 200;
    const sends = scripted.recordAsSent ?? ((status >= 200 && status < 300) || scripted.delayMs !== undefined || scripted.hold === true);
    // Recorded on arrival, before any delay: the provider sends first and answers (or not) later.
    const id = sends && validated.ok ? record(request, validated.message) : undefined;
    if (scripted.hold) await new Promise<void>((resolve) => held.push(resolve));
    if (scripted.delayMs !== undefined) await delay(scripted.delayMs);
    return {
      status,
      body: scripted.body !== undefined ? scripted.body : id !== undefined ? { id } : undefined,
      ...(scripted.headers && { headers: scripted.headers }),
    };
  });

  return {
    url: server.url,
    sendUrl: `${server.url}/api/send-message`,
    apiKey,
    sent,
    requests: server.requests,
    scriptReplies: (...replies) => void script.push(...replies),
    releaseHeld,
    close: async () => {
      releaseHeld();
      cancelDelays();
      await server.close();
    },
  };
}
