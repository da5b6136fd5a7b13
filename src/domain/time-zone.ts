// Wall-clock time in IANA zones, computed through Intl only. Pure and deterministic for a given ICU
// build: it never reads the host's zone (no `getHours()`, no `Intl.DateTimeFormat().resolvedOptions()`),
// so a worker running with TZ=Asia/Tokyo computes exactly what one running with TZ=UTC does. Intl is
// available inside Temporal's workflow sandbox (a node:vm context), which is why workflows can use this.

export interface WallClock {
  readonly year: number;
  /** 1-12 */
  readonly month: number;
  readonly day: number;
  /** 0-23 */
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

export class UnknownTimeZoneError extends RangeError {
  readonly timeZone: unknown;

  constructor(timeZone: unknown) {
    super(`Unknown time zone ${JSON.stringify(timeZone) ?? String(timeZone)}: expected an IANA name such as "America/Lima" or "UTC"`);
    this.name = 'UnknownTimeZoneError';
    this.timeZone = timeZone;
  }
}

// IANA names only ("America/Argentina/Buenos_Aires", "Etc/GMT+5", "UTC"). Intl would also take other
// spellings on some ICU builds (offsets like "+05:00" on newer ones); we accept IANA names only, as the API documents.
const IANA_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;

// One formatter per zone: constructing them is the expensive part, formatting is cheap. Formatters are
// pure, so sharing them between workflow executions in the same sandbox is harmless.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    if (!IANA_NAME.test(timeZone)) throw new UnknownTimeZoneError(timeZone);
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        calendar: 'gregory',
        numberingSystem: 'latn',
        // 'h23', not `hour12: false`: the latter renders midnight as "24" on some ICU versions.
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch (error) {
      if (error instanceof RangeError) throw new UnknownTimeZoneError(timeZone);
      throw error;
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True for a zone name Intl knows (IANA spelling); never throws. */
export function isValidTimeZone(timeZone: unknown): timeZone is string {
  if (typeof timeZone !== 'string') return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Throws UnknownTimeZoneError unless `timeZone` is a zone Intl knows. */
export function assertTimeZone(timeZone: unknown): asserts timeZone is string {
  if (!isValidTimeZone(timeZone)) throw new UnknownTimeZoneError(timeZone);
}

/**
 * The zone a campaign's notification hours are read in: the campaign's own zone, else the tenant's,
 * else UTC. A missing, blank or unknown zone falls through to the next one rather than throwing,
 * because this runs inside long-lived workflows where a throw cannot be fixed by retrying; the API
 * validates zones when they are written.
 */
export function resolveTimeZone(campaignTimeZone?: string | null, tenantTimeZone?: string | null): string {
  for (const candidate of [campaignTimeZone, tenantTimeZone]) {
    const trimmed = candidate?.trim();
    if (trimmed && isValidTimeZone(trimmed)) return trimmed;
  }
  return 'UTC';
}

function epochMs(instant: Date | number): number {
  const ms = typeof instant === 'number' ? instant : instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('Invalid instant: expected a valid Date');
  return ms;
}

/** The wall-clock reading (to the second) in `timeZone` at `instant`. */
export function wallClockAt(instant: Date | number, timeZone: string): WallClock {
  const fields = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatterFor(timeZone).formatToParts(epochMs(instant))) {
    if (part.type in fields) fields[part.type as keyof typeof fields] = Number(part.value);
  }
  // Defensive: an ICU that still prints midnight as 24 despite hourCycle 'h23'.
  if (fields.hour === 24) fields.hour = 0;
  return fields;
}

/** The zone's offset from UTC at `instant`, in ms (Lima → -18_000_000, Kathmandu → +20_700_000). */
export function utcOffsetMs(instant: Date | number, timeZone: string): number {
  const wholeSecond = Math.floor(epochMs(instant) / 1000) * 1000;
  const wall = wallClockAt(wholeSecond, timeZone);
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second) - wholeSecond;
}
