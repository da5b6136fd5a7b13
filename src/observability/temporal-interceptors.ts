// Temporal interceptors of both processes: OpenTelemetry propagation (@temporalio/interceptors-
// opentelemetry: the client puts the caller's trace context into workflow headers, workflows pass
// it to their activities when spans are exported, activities continue it), the claim-start
// counter, and the worker's activity metrics and log context.
import { createRequire } from 'node:module';
import { WorkflowExecutionAlreadyStartedError, type ClientInterceptors, type WorkflowClientInterceptor } from '@temporalio/client';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  makeWorkflowExporter,
} from '@temporalio/interceptors-opentelemetry';
import type { InjectedSinks, WorkerInterceptors } from '@temporalio/worker';
import { Resource } from '@opentelemetry/resources';
import { NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Logger } from '../logger.js';
import { observeActivities } from './activity-observation.js';
import { metrics } from './metrics.js';
import { currentTracing } from './tracing.js';

/** Counts starts of one workflow type (the claim's), by result. */
function countStartsOf(workflowType: string): WorkflowClientInterceptor {
  return {
    async startWithDetails(input, next) {
      if (input.workflowType !== workflowType) return next(input);
      try {
        const output = await next(input);
        metrics.claimWorkflowStarts.inc({ result: 'accepted' });
        return output;
      } catch (error) {
        metrics.claimWorkflowStarts.inc({ result: error instanceof WorkflowExecutionAlreadyStartedError ? 'already_ran' : 'error' });
        throw error;
      }
    },
  };
}

/** For every Client the processes build (API, worker, tests); `claimWorkflowType` is the one whose starts are counted. */
export function clientInterceptors(claimWorkflowType: string): ClientInterceptors {
  return { workflow: [new OpenTelemetryWorkflowClientInterceptor(), countStartsOf(claimWorkflowType)] };
}

/** The bundled workflow-side interceptors (spans for workflows, context passed on to activities). */
export const WORKFLOW_INTERCEPTOR_MODULES = [
  createRequire(import.meta.url).resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors'),
];

/**
 * The workflow interceptors are bundled only when spans leave the process: they are most of each
 * cached workflow's memory (docs/performance.md), and without an exporter their spans are dropped.
 * Activities still continue a trace context that reaches them in headers.
 */
export function workerInterceptors(deps: { logger: Logger }): WorkerInterceptors {
  return {
    workflowModules: currentTracing()?.exporting ? WORKFLOW_INTERCEPTOR_MODULES : [],
    // Outermost first: the OpenTelemetry span is active before our log context and metrics run.
    activity: [
      (ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) }),
      observeActivities(deps.logger),
    ],
  };
}

/**
 * The sink through which the workflow interceptors export their spans. Always installed (a workflow
 * calling a missing sink logs errors); spans are dropped when tracing is not set up.
 */
// biome-ignore lint/suspicious/noExplicitAny: the SDK's sink map is typed per sink name; ours is only known at runtime
export function workflowSpanSinks(): InjectedSinks<any> {
  const tracing = currentTracing();
  return {
    exporter: makeWorkflowExporter(tracing?.spanProcessor ?? new NoopSpanProcessor(), tracing?.resource ?? Resource.empty()),
  };
}
