// When a campaign may notify its users: whole local hours [startHour, endHour) in an IANA zone.
// Pure (no I/O, no clock: callers pass `now`), so the claim workflow can compute its own wait
// deterministically. Rules (contract): open when start <= hour < end; start > end wraps midnight
// (20→8 is 20:00–07:59); start == end is always open.
import { assertTimeZone, utcOffsetMs, wallClockAt } from './time-zone.js';

export { isValidTimeZone, resolveTimeZone, UnknownTimeZoneError } from './time-zone.js';

export interface NotificationWindow {
  /** IANA zone the hours are read in (see resolveTimeZone) */
  readonly timeZone: string;
  /** 0-23, first open hour */
  readonly startHour: number;
  /** 0-23, first closed hour after the open stretch */
  readonly endHour: number;
}

export class InvalidNotificationWindowError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidNotificationWindowError';
  }
}

const HOUR_MS = 3_600_000;
// Each step below advances to the next local hour or zone transition, and a window is open at least one
// hour a day; four days of steps cover any zone's history (Pacific/Apia skipped a whole day in 2011).
const MAX_STEPS = 4 * 24;

function assertHour(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 23) {
    throw new InvalidNotificationWindowError(`${name} must be an integer hour from 0 to 23, got ${String(value)}`);
  }
}

/** Throws InvalidNotificationWindowError / UnknownTimeZoneError when the window cannot be used. */
export function validateWindow(window: NotificationWindow): void {
  assertHour('startHour', window.startHour);
  assertHour('endHour', window.endHour);
  assertTimeZone(window.timeZone);
}

/** Whether a local hour (0-23) is inside the window: `start ≤ hour < end`, wrapping midnight when start > end, always when equal. */
export function isHourInWindow(hour: number, startHour: number, endHour: number): boolean {
  if (startHour === endHour) return true;
  if (startHour < endHour) return hour >= startHour && hour < endHour;
  return hour >= startHour || hour < endHour;
}

function instantMs(instant: Date): number {
  const ms = instant instanceof Date ? instant.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) throw new RangeError('Invalid instant: expected a valid Date');
  return ms;
}

export function isWindowOpen(instant: Date, window: NotificationWindow): boolean {
  const ms = instantMs(instant);
  validateWindow(window);
  return isHourInWindow(wallClockAt(ms, window.timeZone).hour, window.startHour, window.endHour);
}

/**
 * The first instant >= `instant` at which the window is open: `instant` itself when it already is.
 *
 * Walks forward one local hour (or one zone transition) at a time, evaluating the same rule as
 * isWindowOpen at each step, so the answer always satisfies isWindowOpen. Consequences on DST days:
 * - an opening hour that does not exist (spring forward, start 2 in Europe/Berlin on the last Sunday
 *   of March) opens at the first instant after the gap (03:00 CEST), provided that hour is still inside
 *   the window; a one-hour window made of the skipped hour alone (2→3) does not open that day;
 * - an opening hour that occurs twice (fall back) opens at its first occurrence.
 */
export function nextWindowOpening(instant: Date, window: NotificationWindow): Date {
  const from = instantMs(instant);
  validateWindow(window);
  const { timeZone, startHour, endHour } = window;
  let t = from;
  for (let step = 0; step < MAX_STEPS; step++) {
    const wholeSecond = Math.floor(t / 1000) * 1000;
    const offset = utcOffsetMs(wholeSecond, timeZone);
    const hour = new Date(wholeSecond + offset).getUTCHours();
    if (isHourInWindow(hour, startHour, endHour)) return t === from ? instant : new Date(t);
    // The next local hour begins here if the offset holds until then; if it does not, stop at the
    // transition instead and look at the wall clock there.
    const nextLocalHour = (Math.floor((wholeSecond + offset) / HOUR_MS) + 1) * HOUR_MS;
    const candidate = nextLocalHour - offset;
    t = utcOffsetMs(candidate, timeZone) === offset ? candidate : firstSecondWithNewOffset(wholeSecond, candidate, offset, timeZone);
  }
  throw new Error(`No opening of window ${describeWindow(window)} found within 4 days of ${new Date(from).toISOString()}`);
}

// Zone transitions happen on whole seconds; binary search for the first second in (lo, hi] whose
// offset differs from the one at lo.
function firstSecondWithNewOffset(lo: number, hi: number, offsetAtLo: number, timeZone: string): number {
  let low = lo / 1000;
  let high = hi / 1000;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (utcOffsetMs(mid * 1000, timeZone) === offsetAtLo) low = mid;
    else high = mid;
  }
  return high * 1000;
}

const pad = (hour: number): string => String(hour).padStart(2, '0');

/** For logs and details: "09:00–21:00 America/Lima", "20:00–08:00 Europe/Berlin", "always open (UTC)". */
export function describeWindow(window: NotificationWindow): string {
  if (window.startHour === window.endHour) return `always open (${window.timeZone})`;
  return `${pad(window.startHour)}:00–${pad(window.endHour)}:00 ${window.timeZone}`;
}
