// OpenTelemetry tracing, once per process. Spans are always created (so every log line of a request
// and of the activities it causes carries the same trace id), but exported only when
// OTEL_EXPORTER_OTLP_ENDPOINT is set; otherwise they are dropped when they end.
//
// Workflow spans are made inside the sandbox by @temporalio/interceptors-opentelemetry and leave it
// through a sink into the same span processor (see temporal-tracing.ts).
import { context, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, NoopSpanProcessor, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export interface Tracing {
  readonly resource: Resource;
  /** Where every span goes, the workflow sink's included */
  readonly spanProcessor: SpanProcessor;
  /** Spans leave the process (an OTLP endpoint or a test exporter); otherwise they are dropped. */
  readonly exporting: boolean;
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  readonly serviceName: string;
  /** OTEL_EXPORTER_OTLP_ENDPOINT, e.g. http://otel-collector:4318 (OTLP/HTTP; /v1/traces is appended) */
  readonly otlpEndpoint?: string | undefined;
  /** Tests: export synchronously into this exporter (e.g. an InMemorySpanExporter) instead */
  readonly exporter?: SpanExporter;
}

let installed: Tracing | undefined;

/**
 * Registers the global tracer provider, the AsyncLocalStorage context manager and the W3C trace
 * context propagator. The first call wins: the API and the worker share one process in `npm run dev`.
 */
export function setupTracing(options: TracingOptions): Tracing {
  if (installed) return installed;
  const resource = new Resource({ 'service.name': options.serviceName });
  const spanProcessor = options.exporter
    ? new SimpleSpanProcessor(options.exporter)
    : options.otlpEndpoint
      ? new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.otlpEndpoint.replace(/\/+$/, '')}/v1/traces` }))
      : new NoopSpanProcessor();
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  const tracing: Tracing = {
    resource,
    spanProcessor,
    exporting: Boolean(options.exporter || options.otlpEndpoint),
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
      if (installed === tracing) installed = undefined;
    },
  };
  installed = tracing;
  return tracing;
}

/** The process's tracing, if set up (workers built without it still need a sink for workflow spans). */
export function currentTracing(): Tracing | undefined {
  return installed;
}
