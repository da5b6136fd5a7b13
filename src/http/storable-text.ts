// PostgreSQL cannot store a NUL character in text (nor `\u0000` in jsonb), and a lone UTF-16
// surrogate is not text at all (it would be stored as U+FFFD, silently changed). Such input is
// refused at the edge with a 4xx naming where it was, before any use case runs, so it can never
// surface as a database error (a 500) or a partial write.
import type { NextFunction, Request, Response } from 'express';
import { AppError } from './errors.js';

// A NUL, or a high surrogate not followed by a low one, or a low one not preceded by a high one.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what PostgreSQL text cannot store
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const PROBLEM = 'contains a NUL character or an unpaired UTF-16 surrogate, which cannot be stored';
const MAX_DEPTH = 64;

export const isStorableText = (value: string): boolean => !UNSTORABLE.test(value);

/** The first place (`a.b.0`) in a parsed JSON value where a key or string cannot be stored. */
function firstUnstorable(value: unknown, path: string[], depth: number): string | undefined {
  if (typeof value === 'string') return isStorableText(value) ? undefined : path.join('.') || '(body)';
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return undefined;
  for (const [key, inner] of Object.entries(value)) {
    if (!isStorableText(key)) return [...path, '(a key)'].join('.');
    const found = firstUnstorable(inner, [...path, key], depth + 1);
    if (found) return found;
  }
  return undefined;
}

function decodedPath(req: Request): string {
  try {
    return decodeURIComponent(req.path);
  } catch {
    throw new AppError('BAD_REQUEST', 'the request path is not valid percent-encoded UTF-8');
  }
}

/** Path and query: before routing. */
export function rejectUnstorablePathAndQuery(req: Request, _res: Response, next: NextFunction) {
  if (!isStorableText(decodedPath(req))) throw new AppError('BAD_REQUEST', `the request path ${PROBLEM}`);
  const where = firstUnstorable(req.query, [], 0);
  if (where) throw new AppError('VALIDATION_FAILED', 'invalid query', [{ path: where, message: PROBLEM }]);
  next();
}

/** A parsed JSON body: after express.json. */
export function rejectUnstorableBody(req: Request, _res: Response, next: NextFunction) {
  const where = firstUnstorable(req.body, [], 0);
  if (where) throw new AppError('VALIDATION_FAILED', 'invalid request body', [{ path: where, message: PROBLEM }]);
  next();
}
