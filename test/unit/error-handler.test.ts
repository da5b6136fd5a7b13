// What an error thrown in a route becomes: a clear 4xx for the client's faults, a 503 that says
// nothing was written when the database could not take the request in time, and a 500 otherwise.
import { toAppError } from '../../src/http/error-handler.js';
import { AppError } from '../../src/http/errors.js';

describe('toAppError', () => {
  test.each<[string, unknown, number, string]>([
    ['an AppError stays as it is', new AppError('NOT_FOUND', 'no such claim'), 404, 'NOT_FOUND'],
    ['unparsable JSON', { type: 'entity.parse.failed' }, 400, 'INVALID_JSON'],
    ['a body too large', { type: 'entity.too.large' }, 413, 'PAYLOAD_TOO_LARGE'],
    ['a unique key hit by a concurrent request', { code: 'P2002' }, 409, 'CONFLICT'],
    ['no connection for a transaction in time', { code: 'P2028' }, 503, 'UPSTREAM_UNAVAILABLE'],
    ['a row that vanished where no use case expected it', { code: 'P2025' }, 500, 'INTERNAL'],
    ['anything else', new Error('boom'), 500, 'INTERNAL'],
  ])('%s', (_what, error, status, code) => {
    expect(toAppError(error)).toMatchObject({ status, code });
  });
});
