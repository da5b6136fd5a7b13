import type { Request } from 'express';
import { notFound } from './errors.js';

/** A route's path parameter as one string; anything else cannot name a resource (404). */
export function pathParam(req: Request, name: string, what = 'resource'): string {
  const value: unknown = req.params[name];
  if (typeof value !== 'string' || value.length === 0) throw notFound(what);
  return value;
}
