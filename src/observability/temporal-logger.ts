// The Temporal SDK's logger (workflow `log.*`, activity `Context.log`, the SDK's own messages)
// written through our pino logger, so those lines are JSON like ours and carry the same fields:
// the OpenTelemetry interceptors put trace_id/span_id on them, the SDK the workflowId.
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import type { Logger } from '../logger.js';

const ORDER: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };
const CLAIM_WORKFLOW_ID = /^claim-([0-9a-f-]{36})$/i;

export function temporalLoggerOver(logger: Logger, minLevel: LogLevel): TemporalLogger {
  const log = (level: LogLevel, message: string, meta: LogMetadata = {}) => {
    if (ORDER[level] < ORDER[minLevel]) return;
    const { trace_id: traceId, span_id: spanId, trace_flags: _flags, ...rest } = meta as Record<string, unknown>;
    const completionId = typeof rest.workflowId === 'string' ? CLAIM_WORKFLOW_ID.exec(rest.workflowId)?.[1] : undefined;
    const fields = { ...rest, ...(traceId ? { traceId, spanId } : {}), ...(completionId ? { completionId } : {}) };
    const method = level === 'TRACE' ? 'trace' : level === 'DEBUG' ? 'debug' : level === 'INFO' ? 'info' : level === 'WARN' ? 'warn' : 'error';
    logger[method](fields, message);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}
