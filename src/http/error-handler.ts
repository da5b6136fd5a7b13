import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../logger.js';
import { AppError } from './errors.js';

interface BodyParserError {
  type?: string;
  status?: number;
}

/** Maps anything thrown in a route to the API's JSON error `{error: {code, message, details}}`; unknown errors are 500 and logged. */
export function errorHandler(logger: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const appError = toAppError(error);
    if (appError.status >= 500) {
      logger.error({ err: error, requestId: req.requestId, path: req.path }, 'request failed');
    }
    // An unexpected failure names the request id, so a report can be matched with the log line.
    const details = appError.code === 'INTERNAL' ? { requestId: req.requestId } : appError.details;
    res.status(appError.status).json({
      error: {
        code: appError.code,
        message: appError.message,
        ...(details === undefined ? {} : { details }),
      },
    });
  };
}

export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const parserError = error as BodyParserError;
  if (parserError?.type === 'entity.parse.failed') return new AppError('INVALID_JSON', 'request body is not valid JSON');
  if (parserError?.type === 'entity.too.large') return new AppError('PAYLOAD_TOO_LARGE', 'request body is too large');
  if (parserError?.type === 'encoding.unsupported' || parserError?.type === 'charset.unsupported') {
    return new AppError('UNSUPPORTED_MEDIA_TYPE', 'unsupported body encoding');
  }
  if (parserError?.status && parserError.status >= 400 && parserError.status < 500) {
    return new AppError('BAD_REQUEST', 'bad request');
  }
  // A unique key hit by a concurrent request is the client's conflict. No other Prisma error is
  // mapped here: "record not found" (P2025) is turned into a 404 only by the use cases that expect it
  // (orNotFound), so an unexpected one is a logged 500 instead of a 404 that hides a bug.
  const prismaCode = (error as { code?: string })?.code;
  if (prismaCode === 'P2002') return new AppError('CONFLICT', 'a resource with these unique fields already exists');
  // No connection for a transaction in time (an overloaded pool), or the transaction ran out of time
  // and was rolled back: nothing was written, and the same request can simply be sent again.
  if (prismaCode === 'P2028') return new AppError('UPSTREAM_UNAVAILABLE', 'the database is busy; nothing was written, try again');
  return new AppError('INTERNAL', 'internal error');
}
