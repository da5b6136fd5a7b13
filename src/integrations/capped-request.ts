// A got request whose response body is read up to a limit. Hosts a tenant chose are not trusted to
// answer with a sane amount: past the limit the transfer is aborted, and the caller still learns the
// status (the body is then dropped, never half-parsed).
import type { ClientRequest, IncomingMessage } from 'node:http';
import got, { type Agents, type Got, type Headers, type OptionsOfTextResponseBody } from 'got';

/** What we read of a tenant host's answer at most. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

export interface CappedResponse {
  readonly statusCode: number;
  readonly headers: Headers;
  /** The body as text, '' when it was cut off */
  readonly body: string;
  readonly truncated: boolean;
}

type CappedOptions = Omit<OptionsOfTextResponseBody, 'responseType' | 'isStream' | 'resolveBodyOnly' | 'agent'> & {
  readonly agent?: Agents | undefined;
};

/** `client` lets callers pass an instrumented got instance (metrics, spans). */
export async function requestCapped(
  url: URL,
  options: CappedOptions,
  maxBytes: number = MAX_RESPONSE_BYTES,
  client: Got = got,
): Promise<CappedResponse> {
  const { agent, ...rest } = options;
  const request = client(url, { ...rest, ...(agent ? { agent } : {}), responseType: 'text' });
  let head: { statusCode: number; headers: Headers } | undefined;
  let truncated = false;
  const cut = () => {
    if (truncated) return;
    truncated = true;
    request.cancel();
  };
  // got's own 'response' event comes after the whole body is buffered; the Node request's comes with the headers.
  request.on('request', (clientRequest: ClientRequest) => {
    clientRequest.once('response', (response: IncomingMessage) => {
      head = { statusCode: response.statusCode ?? 0, headers: response.headers };
      if (Number(response.headers['content-length']) > maxBytes) cut();
    });
  });
  request.on('downloadProgress', (progress: { transferred: number }) => {
    if (progress.transferred > maxBytes) cut();
  });
  try {
    const response = await request;
    return { statusCode: response.statusCode, headers: response.headers, body: response.body, truncated: false };
  } catch (error) {
    if (truncated && head) return { ...head, body: '', truncated: true };
    throw error;
  }
}
