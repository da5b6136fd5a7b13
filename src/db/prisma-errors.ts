// Reading Prisma's known request errors without guessing. Only the cases a use case expects are
// turned into API answers (a row that vanished between a check and a write, a named foreign key);
// anything else stays an error, so the error handler logs it as a 500 with the request id instead of
// dressing a bug up as a 404.
import { AppError } from '../http/errors.js';

const codeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^P\d{4}$/.test(code) ? code : undefined;
};

/** P2025: the row an update/delete names does not exist (any more). */
export function isRecordNotFound(error: unknown): boolean {
  return codeOf(error) === 'P2025';
}

/**
 * The constraint a P2003 (foreign key violation) names, e.g. "Campaign_whatsappAccountId_fkey".
 * Prisma puts it in `meta` under keys that vary with the driver adapter, so every string in `meta`
 * that looks like a foreign key name is a candidate; undefined when none is found.
 */
export function violatedForeignKey(error: unknown): string | undefined {
  if (codeOf(error) !== 'P2003') return undefined;
  const found: string[] = [];
  const visit = (value: unknown, depth: number) => {
    if (depth > 6) return;
    if (typeof value === 'string') {
      const match = /"?(\w+_fkey)"?/.exec(value);
      if (match) found.push(match[1]!);
    } else if (value && typeof value === 'object') {
      for (const inner of Object.values(value)) visit(inner, depth + 1);
    }
  };
  visit((error as { meta?: unknown }).meta, 0);
  visit((error as { message?: unknown }).message, 0);
  return found[0];
}

/** Awaits a write on a row the caller has just found; if it vanished meanwhile, that is a 404. */
export async function orNotFound<T>(write: Promise<T>, what: string): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (isRecordNotFound(error)) throw new AppError('NOT_FOUND', `${what} not found`, undefined, { cause: error });
    throw error;
  }
}
