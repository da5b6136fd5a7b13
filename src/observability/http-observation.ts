// One middleware, first in the app, that observes every HTTP request: a SERVER span (continuing
// the caller's W3C trace context), a log context, and the request metrics. Handlers run inside the
// span's context, so the Temporal client interceptor puts workflows they start into the same trace.
//
// Span attributes are the method, route template, path and status: never the query string (the
// OAuth callback carries a code in it), headers, bodies or phone numbers.
import { SpanKind, SpanStatusCode, context, propagation, trace, type Span } from '@opentelemetry/api';
import type { NextFunction, Request, Response } from 'express';
import { boundedLabel, metrics } from './metrics.js';
import { noteClaimId, runWithLogContext, type LogContext } from './log-context.js';
import { webhookDeliveryLabels } from './webhook-delivery-labels.js';

interface Observation {
  readonly span: Span;
  readonly logContext: LogContext;
}

const observations = new WeakMap<Request, Observation>();
const CLAIM_PATH = /^\/api\/v1\/(?:completions|claims)\/([0-9a-f-]{36})(?:\/|$)/i;
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

export function observeHttpRequests() {
  const tracer = trace.getTracer('social-tasks-http');
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    const method = boundedLabel(req.method, METHODS);
    const parent = propagation.extract(context.active(), req.headers);
    const span = tracer.startSpan(
      `${method} ${req.path}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'url.path': req.path } },
      parent,
    );
    const logContext: LogContext = {};
    observations.set(req, { span, logContext });

    res.on('finish', () => {
      const route = routeTemplate(req);
      const status = res.statusCode;
      span.updateName(`${method} ${route}`);
      span.setAttributes({ 'http.route': route, 'http.response.status_code': status });
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpRequests.inc({ method, route, status_code: String(status) });
      metrics.httpDuration.observe({ method, route }, seconds);
      if (method === 'POST' && req.path === '/webhooks/meta') metrics.webhookDeliveries.inc(webhookDeliveryLabels(status, req.body));
    });

    context.with(trace.setSpan(parent, span), () =>
      runWithLogContext(logContext, () => {
        const completionId = CLAIM_PATH.exec(req.path)?.[1];
        if (completionId) noteClaimId(completionId);
        next();
      }),
    );
  };
}

/** traceId and completionId for the request's own log line (written after the response). */
export function requestLogFields(req: Request): { traceId?: string; completionId?: string } {
  const observation = observations.get(req);
  if (!observation) return {};
  const { traceId } = observation.span.spanContext();
  return { traceId, ...(observation.logContext.completionId ? { completionId: observation.logContext.completionId } : {}) };
}

/** The matched route's template (`/api/v1/claims/:completionId`), or 'unmatched': ids never become labels. */
function routeTemplate(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${req.baseUrl}${path}` : 'unmatched';
}
