// Users type their handle as "@Maria.Silva ", "maria.silva" or "MARIA.SILVA"; Instagram usernames
// are case-insensitive and Facebook display names are compared the same way. Normalise both sides.

export function normalizeHandle(raw: string | undefined | null): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const value = raw.normalize('NFKC').trim().replace(/^@+/, '').trim().replace(/\s+/g, ' ').toLowerCase();
  return value === '' ? undefined : value;
}

export function sameHandle(a: string | undefined | null, b: string | undefined | null): boolean {
  const left = normalizeHandle(a);
  return left !== undefined && left === normalizeHandle(b);
}

/** The first candidate that is a usable handle, normalised (claim's handle before stored names). */
export function firstHandle(...candidates: (string | undefined | null)[]): string | undefined {
  for (const candidate of candidates) {
    const handle = normalizeHandle(candidate);
    if (handle) return handle;
  }
  return undefined;
}
