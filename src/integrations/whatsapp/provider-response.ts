// Reading the bodies of waapi-style WhatsApp providers. There is no standard: ids and errors come in
// several common shapes, and an HTTP 200 can still say that nothing was sent (waapi.app answers
// `{"status":"error"}` when the instance is not connected, and `{"status":"success","data":{"status":"error"}}`
// when the action itself failed).

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The JSON value of a body, or undefined when it is empty or not JSON. */
export function parseJsonBody(text: string): unknown {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

// whatsapp-web.js based providers (waapi.app) return the message's id as an object: {_serialized, id, ...}.
function idText(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim()) return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (isObject(value)) return idText(value._serialized) ?? idText(value.id);
  return undefined;
}

function idIn(node: Json): string | undefined {
  const messages = node.messages;
  const firstMessage = Array.isArray(messages) && isObject(messages[0]) ? messages[0] : undefined;
  const key = isObject(node.key) ? node.key : undefined;
  return (
    idText(node.messageId) ??
    idText(node.message_id) ??
    idText(node.msgId) ??
    idText(node.id) ??
    (key && idText(key.id)) ??
    (firstMessage && idText(firstMessage.id))
  );
}

/**
 * The provider's id for the sent message, from `id`, `messageId`, `message_id`, `key.id`,
 * `messages[0].id` at the top level or nested under `data` (up to two levels, as waapi nests).
 */
export function extractMessageId(body: unknown): string | undefined {
  let node = body;
  for (let depth = 0; depth < 3 && isObject(node); depth++) {
    const id = idIn(node);
    if (id) return id;
    node = node.data;
  }
  return undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/** The human-readable error a body carries (`message`, `error`, `error.message`, `errors[0].message`, under `data` too). */
export function errorMessageIn(body: unknown): string | undefined {
  if (!isObject(body)) return text(body);
  const error = body.error;
  const errors = Array.isArray(body.errors) ? body.errors : [];
  return (
    text(error) ??
    (isObject(error) ? (text(error.message) ?? text(error.description)) : undefined) ??
    (isObject(errors[0]) ? text(errors[0].message) : text(errors[0])) ??
    text(body.message) ??
    text(body.detail) ??
    text(body.reason) ??
    (isObject(body.data) ? errorMessageIn(body.data) : undefined)
  );
}

const FAILED_STATUSES = new Set(['error', 'failed', 'failure', 'fail']);

function reportsFailure(node: Json): boolean {
  const status = typeof node.status === 'string' ? node.status.toLowerCase() : node.status;
  const hasError = text(node.error) !== undefined || isObject(node.error);
  return (
    (typeof status === 'string' && FAILED_STATUSES.has(status)) ||
    status === false ||
    node.success === false ||
    node.ok === false ||
    node.sent === false ||
    (hasError && idIn(node) === undefined)
  );
}

/**
 * For a 2xx answer: the provider's error text when the body says the message was not sent, else
 * undefined. Looks at the envelope and at `data` (waapi's inner action status).
 */
export function innerErrorOf(body: unknown): string | undefined {
  let node = body;
  for (let depth = 0; depth < 3 && isObject(node); depth++) {
    if (reportsFailure(node)) return errorMessageIn(node) ?? 'the provider reported an error without a message';
    node = node.data;
  }
  return undefined;
}

/** A numeric error code in the body (`code`, `error.code`), for OutboundError.providerCode. */
export function errorCodeIn(body: unknown): number | undefined {
  if (!isObject(body)) return undefined;
  const candidates = [body.code, isObject(body.error) ? body.error.code : undefined, isObject(body.data) ? body.data.code : undefined];
  return candidates.find((value): value is number => typeof value === 'number' && Number.isFinite(value));
}

/** `retry_after` / `retryAfter` (seconds) in a 429 body, as waapi's SDK reads it; in ms. */
export function retryAfterMsInBody(body: unknown): number | undefined {
  if (!isObject(body)) return undefined;
  for (const value of [body.retry_after, body.retryAfter, isObject(body.error) ? body.error.retry_after : undefined]) {
    const seconds = typeof value === 'string' ? Number(value) : value;
    if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  }
  return undefined;
}
