// What every log line of a request, and of the activities it causes, carries besides its message:
// the trace id (the same one from the HTTP request through the workflow to the provider call, via
// the Temporal OpenTelemetry interceptors) and the claim id when the work concerns one claim.
import { AsyncLocalStorage } from 'node:async_hooks';
import { isSpanContextValid, trace } from '@opentelemetry/api';

export interface LogContext {
  /** Mutable: a request learns its claim id only once the claim row exists. */
  completionId?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

export function runWithLogContext<T>(logContext: LogContext, fn: () => T): T {
  return storage.run(logContext, fn);
}

/** Names the claim the current request or activity works on, for every later log line of it. */
export function noteClaimId(completionId: string): void {
  const store = storage.getStore();
  if (store) store.completionId = completionId;
  trace.getActiveSpan()?.setAttribute('social.completion_id', completionId);
}

/** Fields for a log line written now: traceId, spanId, completionId (each only when known). */
export function currentLogFields(): { traceId?: string; spanId?: string; completionId?: string } {
  const fields: { traceId?: string; spanId?: string; completionId?: string } = {};
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (spanContext && isSpanContextValid(spanContext)) {
    fields.traceId = spanContext.traceId;
    fields.spanId = spanContext.spanId;
  }
  const completionId = storage.getStore()?.completionId;
  if (completionId) fields.completionId = completionId;
  return fields;
}
