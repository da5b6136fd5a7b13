// got instances for calls to Meta and WhatsApp providers that observe every exchange: a CLIENT span
// (child of the activity's span, so the trace reaches the provider request) and the outbound
// metrics (outcome, status code, Meta error code, latency). The integration code is unchanged:
// it imports this `got` instead of the package's.
//
// Neither spans nor labels carry the URL: queries hold appsecret_proof and OAuth secrets, and a
// path names accounts. The operation is the path with every id replaced by {id}; tenant-supplied
// provider URLs are not recorded at all. No trace context is sent to outside services.
import { SpanKind, SpanStatusCode, context, trace, type Span } from '@opentelemetry/api';
import { got, type Got, type RequestError, type Response } from 'got';
import { metrics } from './metrics.js';

export type OutboundServiceLabel = 'meta' | 'whatsapp-provider' | 'tenant-events-webhook';

interface InFlight {
  readonly span: Span;
  readonly started: bigint;
  readonly operation: string;
}

const tracer = trace.getTracer('social-tasks-outbound');

/** `/v26.0/1234/comments` → `/{id}/comments`: a bounded label (our code names the edges). */
export function metaOperation(pathname: string): string {
  const segments = pathname.split('/').filter(Boolean);
  if (segments[0] && /^v\d+\.\d+$/.test(segments[0])) segments.shift();
  return `/${segments.map((segment) => (/\d/.test(segment) || segment.length > 40 ? '{id}' : segment)).join('/')}`;
}

/** Meta's `error.code` (e.g. 130429, 190) from an error answer, or '' when there is none. */
function metaErrorCode(body: unknown): string {
  if (typeof body !== 'string' || body.length === 0 || body.length > 100_000) return '';
  try {
    const code = (JSON.parse(body) as { error?: { code?: unknown } }).error?.code;
    return Number.isInteger(code) && (code as number) >= 0 && (code as number) < 10_000_000 ? String(code) : '';
  } catch {
    return '';
  }
}

export function instrumentedGot(service: OutboundServiceLabel): Got {
  // Keyed by got's options object: the same instance reaches beforeRequest, the response and the error.
  const inFlight = new WeakMap<object, InFlight>();
  const operationOf = (options: { url?: string | URL | undefined }) =>
    service === 'meta' && options.url instanceof URL ? metaOperation(options.url.pathname) : 'send';

  const finish = (options: object | undefined, outcome: string, statusCode: number | undefined, errorCode: string) => {
    const flight = options && inFlight.get(options);
    if (!flight) return;
    inFlight.delete(options);
    const seconds = Number(process.hrtime.bigint() - flight.started) / 1e9;
    metrics.outboundRequests.inc({
      service,
      operation: flight.operation,
      outcome,
      status_code: statusCode === undefined ? 'none' : String(statusCode),
      error_code: errorCode,
    });
    metrics.outboundDuration.observe({ service, operation: flight.operation, outcome }, seconds);
    if (statusCode !== undefined) flight.span.setAttribute('http.response.status_code', statusCode);
    if (errorCode) flight.span.setAttribute('social.provider_error_code', errorCode);
    if (outcome !== 'ok') flight.span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
    flight.span.end();
  };

  return got.extend({
    hooks: {
      beforeRequest: [
        (options) => {
          const operation = operationOf(options);
          const span = tracer.startSpan(
            `${options.method} ${service} ${operation}`,
            {
              kind: SpanKind.CLIENT,
              attributes: {
                'http.request.method': options.method,
                'server.address': options.url instanceof URL ? options.url.hostname : '',
                'social.outbound.service': service,
                'social.outbound.operation': operation,
              },
            },
            context.active(),
          );
          inFlight.set(options, { span, started: process.hrtime.bigint(), operation });
        },
      ],
      afterResponse: [
        (response: Response) => {
          const ok = response.statusCode < 400;
          finish(
            response.request.options,
            ok ? 'ok' : 'http_error',
            response.statusCode,
            ok || service !== 'meta' ? '' : metaErrorCode(response.body),
          );
          return response;
        },
      ],
      beforeError: [
        (error: RequestError) => {
          const outcome = error.name === 'TimeoutError' ? 'timeout' : 'network_error';
          finish(error.options, outcome, error.response?.statusCode, '');
          return error;
        },
      ],
    },
  });
}
