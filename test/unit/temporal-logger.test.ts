// SDK log lines (workflow log.*, activity Context.log) reach our JSON logs with our field names.
import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger.js';
import { temporalLoggerOver } from '../../src/observability/temporal-logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'debug', name: 'worker', destination }) };
}

test('a workflow warning carries traceId, spanId and the completion id of its claim workflow', () => {
  const { lines, logger } = capture();
  const completionId = '7ac0e8e1-00ff-4041-a733-c23f6dc77d93';
  temporalLoggerOver(logger, 'WARN').warn('Meta credentials rejected; claim stays pending', {
    workflowId: `claim-${completionId}`,
    workflowType: 'verifySocialTaskClaim',
    attempt: 1,
    trace_id: '0af7651916cd43dd8448eb211c80319c',
    span_id: 'b7ad6b7169203331',
    trace_flags: '01',
  });
  expect(lines).toEqual([
    expect.objectContaining({
      level: 40,
      name: 'worker',
      msg: 'Meta credentials rejected; claim stays pending',
      completionId,
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      workflowType: 'verifySocialTaskClaim',
      attempt: 1,
    }),
  ]);
  expect(lines[0]).not.toHaveProperty('trace_id');
});

test('below the minimum level nothing is written (the SDK logs each bundling step at INFO)', () => {
  const { lines, logger } = capture();
  const sdk = temporalLoggerOver(logger, 'WARN');
  sdk.info('bundling workflows');
  sdk.debug('details');
  sdk.error('worker failed', { workflowId: 'meta-webhook-abc' });
  expect(lines.map((line) => line.msg)).toEqual(['worker failed']);
  expect(lines[0]).not.toHaveProperty('completionId');
});
