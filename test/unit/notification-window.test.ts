import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  describeWindow,
  InvalidNotificationWindowError,
  isValidTimeZone,
  isWindowOpen,
  nextWindowOpening,
  resolveTimeZone,
  UnknownTimeZoneError,
  type NotificationWindow,
} from '../../src/domain/notification-window.js';
import { utcOffsetMs, wallClockAt } from '../../src/domain/time-zone.js';

const lima = (startHour: number, endHour: number): NotificationWindow => ({ timeZone: 'America/Lima', startHour, endHour });
const berlin = (startHour: number, endHour: number): NotificationWindow => ({ timeZone: 'Europe/Berlin', startHour, endHour });

interface OpeningCase {
  readonly name: string;
  readonly window: NotificationWindow;
  readonly at: string;
  /** the expected next opening; equal to `at` when the window is open at `at` */
  readonly opens: string;
}

// Every instant is written in UTC; the comment-like names give the local reading.
const openingCases: OpeningCase[] = [
  // America/Lima is UTC-5 all year.
  {
    name: 'Lima 9-21: claim verified at 22:50 opens at 09:00 the next day',
    window: lima(9, 21),
    at: '2026-05-11T03:50:00.000Z',
    opens: '2026-05-11T14:00:00.000Z',
  },
  { name: 'Lima 9-21: 10:30 is inside, same instant', window: lima(9, 21), at: '2026-05-11T15:30:00.000Z', opens: '2026-05-11T15:30:00.000Z' },
  { name: 'Lima 9-21: exactly 09:00 is open', window: lima(9, 21), at: '2026-05-11T14:00:00.000Z', opens: '2026-05-11T14:00:00.000Z' },
  { name: 'Lima 9-21: 08:59:59.999 waits one millisecond', window: lima(9, 21), at: '2026-05-11T13:59:59.999Z', opens: '2026-05-11T14:00:00.000Z' },
  { name: 'Lima 9-21: 20:59:59.999 is still open', window: lima(9, 21), at: '2026-05-12T01:59:59.999Z', opens: '2026-05-12T01:59:59.999Z' },
  {
    name: 'Lima 9-21: exactly 21:00 is closed until 09:00 next day',
    window: lima(9, 21),
    at: '2026-05-12T02:00:00.000Z',
    opens: '2026-05-12T14:00:00.000Z',
  },
  { name: 'Lima 9-21: 00:00 local opens the same local day', window: lima(9, 21), at: '2026-05-11T05:00:00.000Z', opens: '2026-05-11T14:00:00.000Z' },
  { name: 'Lima 20-8 (overnight): 23:00 is open', window: lima(20, 8), at: '2026-05-12T04:00:00.000Z', opens: '2026-05-12T04:00:00.000Z' },
  { name: 'Lima 20-8 (overnight): 03:00 is open', window: lima(20, 8), at: '2026-05-12T08:00:00.000Z', opens: '2026-05-12T08:00:00.000Z' },
  { name: 'Lima 20-8 (overnight): 12:00 waits for 20:00', window: lima(20, 8), at: '2026-05-11T17:00:00.000Z', opens: '2026-05-12T01:00:00.000Z' },
  {
    name: 'Lima 20-8 (overnight): exactly 08:00 is closed until 20:00',
    window: lima(20, 8),
    at: '2026-05-11T13:00:00.000Z',
    opens: '2026-05-12T01:00:00.000Z',
  },
  {
    name: 'Lima 9-0: 23:59 is open (end 0 means until midnight)',
    window: lima(9, 0),
    at: '2026-05-12T04:59:00.000Z',
    opens: '2026-05-12T04:59:00.000Z',
  },
  { name: 'Lima 7-7 (start == end) is always open', window: lima(7, 7), at: '2026-05-11T08:00:00.000Z', opens: '2026-05-11T08:00:00.000Z' },
  {
    name: 'UTC 0-0 is always open',
    window: { timeZone: 'UTC', startHour: 0, endHour: 0 },
    at: '2026-05-11T23:59:59.999Z',
    opens: '2026-05-11T23:59:59.999Z',
  },
  {
    name: 'UTC 9-17 at 17:00 opens 09:00 next day',
    window: { timeZone: 'UTC', startHour: 9, endHour: 17 },
    at: '2026-05-11T17:00:00.000Z',
    opens: '2026-05-12T09:00:00.000Z',
  },

  // Europe/Berlin, spring forward 2026-03-29: 02:00 CET (01:00Z) becomes 03:00 CEST; 02:xx does not exist.
  {
    name: 'Berlin 9-17 the day before the change (CET, +1)',
    window: berlin(9, 17),
    at: '2026-03-28T05:00:00.000Z',
    opens: '2026-03-28T08:00:00.000Z',
  },
  {
    name: 'Berlin 9-17 on spring-forward day opens at 09:00 CEST',
    window: berlin(9, 17),
    at: '2026-03-28T23:00:00.000Z',
    opens: '2026-03-29T07:00:00.000Z',
  },
  {
    name: 'Berlin 2-8 on spring-forward day: 02:00 is skipped, opens at 03:00 CEST',
    window: berlin(2, 8),
    at: '2026-03-28T23:00:00.000Z',
    opens: '2026-03-29T01:00:00.000Z',
  },
  {
    name: 'Berlin 2-8 at 01:59:59 CET opens at the gap one second later',
    window: berlin(2, 8),
    at: '2026-03-29T00:59:59.000Z',
    opens: '2026-03-29T01:00:00.000Z',
  },
  {
    name: 'Berlin 2-3 on spring-forward day: the only open hour is skipped, opens next day 02:00 CEST',
    window: berlin(2, 3),
    at: '2026-03-28T23:00:00.000Z',
    opens: '2026-03-30T00:00:00.000Z',
  },
  {
    name: 'Berlin 22-2 (overnight) across spring forward: 01:59 CET open',
    window: berlin(22, 2),
    at: '2026-03-29T00:59:00.000Z',
    opens: '2026-03-29T00:59:00.000Z',
  },
  {
    name: 'Berlin 22-2 (overnight) at 03:00 CEST waits for 22:00 CEST',
    window: berlin(22, 2),
    at: '2026-03-29T01:00:00.000Z',
    opens: '2026-03-29T20:00:00.000Z',
  },

  // Europe/Berlin, fall back 2026-10-25: 03:00 CEST (01:00Z) becomes 02:00 CET; 02:xx happens twice.
  {
    name: 'Berlin 2-8 on fall-back day opens at the first 02:00 (CEST)',
    window: berlin(2, 8),
    at: '2026-10-24T22:00:00.000Z',
    opens: '2026-10-25T00:00:00.000Z',
  },
  {
    name: 'Berlin 3-8 on fall-back day opens at 03:00 CET (after the repeated hour)',
    window: berlin(3, 8),
    at: '2026-10-24T22:00:00.000Z',
    opens: '2026-10-25T02:00:00.000Z',
  },
  {
    name: 'Berlin 9-17 on fall-back day opens at 09:00 CET',
    window: berlin(9, 17),
    at: '2026-10-24T22:00:00.000Z',
    opens: '2026-10-25T08:00:00.000Z',
  },
  { name: 'Berlin 2-3 in the second 02:30 (CET) is open', window: berlin(2, 3), at: '2026-10-25T01:30:00.000Z', opens: '2026-10-25T01:30:00.000Z' },
  {
    name: 'Berlin 0-2 at the first 02:30 (CEST) waits past the repeated hour to 00:00 CET',
    window: berlin(0, 2),
    at: '2026-10-25T00:30:00.000Z',
    opens: '2026-10-25T23:00:00.000Z',
  },
  {
    name: 'Berlin 9-17 the day after the change (CET, +1)',
    window: berlin(9, 17),
    at: '2026-10-26T05:00:00.000Z',
    opens: '2026-10-26T08:00:00.000Z',
  },

  // Zones whose offsets are not whole hours.
  {
    name: 'Kathmandu (+05:45) 9-21 at 05:45 opens at 09:00',
    window: { timeZone: 'Asia/Kathmandu', startHour: 9, endHour: 21 },
    at: '2026-05-11T00:00:00.000Z',
    opens: '2026-05-11T03:15:00.000Z',
  },
  {
    name: 'Kathmandu (+05:45) 9-21 at exactly 21:00 waits for 09:00 next day',
    window: { timeZone: 'Asia/Kathmandu', startHour: 9, endHour: 21 },
    at: '2026-05-11T15:15:00.000Z',
    opens: '2026-05-12T03:15:00.000Z',
  },
  {
    name: 'Kolkata (+05:30) 9-21 at 05:30 opens at 09:00',
    window: { timeZone: 'Asia/Kolkata', startHour: 9, endHour: 21 },
    at: '2026-05-11T00:00:00.000Z',
    opens: '2026-05-11T03:30:00.000Z',
  },
  {
    name: 'St Johns (-02:30 in summer) 20-8 at 12:00 opens at 20:00',
    window: { timeZone: 'America/St_Johns', startHour: 20, endHour: 8 },
    at: '2026-07-01T14:30:00.000Z',
    opens: '2026-07-01T22:30:00.000Z',
  },
  // Lord Howe falls back by only 30 minutes: 02:00 (+11) becomes 01:30 (+10:30) on 2026-04-05.
  {
    name: 'Lord Howe 2-8 across a half-hour fall back opens at 02:00 (+10:30)',
    window: { timeZone: 'Australia/Lord_Howe', startHour: 2, endHour: 8 },
    at: '2026-04-04T13:00:00.000Z',
    opens: '2026-04-04T15:30:00.000Z',
  },

  // Pacific/Apia skipped 2011-12-30 entirely: 23:59:59 on the 29th (-10) was followed by 00:00 on the 31st (+14).
  {
    name: 'Apia 9-21 at 22:00 on 2011-12-29 opens at 09:00 on 2011-12-31',
    window: { timeZone: 'Pacific/Apia', startHour: 9, endHour: 21 },
    at: '2011-12-30T08:00:00.000Z',
    opens: '2011-12-30T19:00:00.000Z',
  },
];

describe('nextWindowOpening', () => {
  test.each(openingCases)('$name', ({ window, at, opens }) => {
    const instant = new Date(at);
    const opening = nextWindowOpening(instant, window);
    expect(opening.toISOString()).toBe(opens);
    expect(isWindowOpen(opening, window)).toBe(true);
    expect(isWindowOpen(instant, window)).toBe(at === opens);
    if (at === opens) expect(opening).toBe(instant);
  });

  test('no instant between the start and the opening is open (checked minute by minute)', () => {
    for (const { window, at, opens } of openingCases) {
      for (let t = Date.parse(at); t < Date.parse(opens); t += 60_000) {
        expect(isWindowOpen(new Date(t), window)).toBe(false);
      }
    }
  });
});

describe('isWindowOpen', () => {
  test.each([
    ['Berlin 2-3 in the first 02:30 (CEST)', berlin(2, 3), '2026-10-25T00:30:00Z', true],
    ['Berlin 2-3 in the second 02:30 (CET)', berlin(2, 3), '2026-10-25T01:30:00Z', true],
    ['Berlin 2-3 at 03:00 CET', berlin(2, 3), '2026-10-25T02:00:00Z', false],
    ['Berlin 2-8 at 03:00 CEST right after the gap', berlin(2, 8), '2026-03-29T01:00:00Z', true],
    ['Berlin 2-8 at 01:59:59 CET right before the gap', berlin(2, 8), '2026-03-29T00:59:59Z', false],
    ['Lima 9-21 at 14:00 Lima (19:00Z)', lima(9, 21), '2026-05-11T19:00:00Z', true],
    ['Lima 9-21 at 05:00 Lima (10:00Z), open in UTC but not in Lima', lima(9, 21), '2026-05-11T10:00:00Z', false],
  ] as const)('%s', (_name, window, at, open) => {
    expect(isWindowOpen(new Date(at), window)).toBe(open);
  });
});

describe('input validation', () => {
  const at = new Date('2026-05-11T12:00:00Z');

  test.each(['Mars/Olympus_Mons', '', '+05:00', 'America/Lima; DROP', 'Europe/'])('unknown zone %j is rejected', (timeZone) => {
    expect(isValidTimeZone(timeZone)).toBe(false);
    expect(() => isWindowOpen(at, { timeZone, startHour: 9, endHour: 21 })).toThrow(UnknownTimeZoneError);
    expect(() => nextWindowOpening(at, { timeZone, startHour: 9, endHour: 21 })).toThrow(/Unknown time zone/);
  });

  test.each([
    ['startHour', { startHour: 24, endHour: 8 }],
    ['startHour', { startHour: -1, endHour: 8 }],
    ['startHour', { startHour: 9.5, endHour: 21 }],
    ['endHour', { startHour: 9, endHour: Number.NaN }],
    ['endHour', { startHour: 9, endHour: '21' as unknown as number }],
  ])('%s out of range is rejected: %j', (field, hours) => {
    const window = { timeZone: 'UTC', ...hours };
    expect(() => nextWindowOpening(at, window)).toThrow(InvalidNotificationWindowError);
    expect(() => isWindowOpen(at, window)).toThrow(new RegExp(`${field} must be an integer hour from 0 to 23`));
  });

  test('an invalid Date is rejected', () => {
    expect(() => nextWindowOpening(new Date('not a date'), lima(9, 21))).toThrow(/Invalid instant/);
  });
});

describe('time zones', () => {
  test.each(['America/Lima', 'Europe/Berlin', 'Asia/Kathmandu', 'UTC', 'Etc/GMT+5', 'America/Argentina/Buenos_Aires'])('%s is valid', (zone) => {
    expect(isValidTimeZone(zone)).toBe(true);
  });

  test.each([undefined, null, 42, {}])('%p is not a zone', (zone) => {
    expect(isValidTimeZone(zone)).toBe(false);
  });

  test.each([
    ['campaign wins', 'America/Lima', 'Europe/Berlin', 'America/Lima'],
    ['tenant when the campaign has none', undefined, 'Europe/Berlin', 'Europe/Berlin'],
    ['tenant when the campaign is null', null, 'Europe/Berlin', 'Europe/Berlin'],
    ['tenant when the campaign is blank', '  ', 'Asia/Tokyo', 'Asia/Tokyo'],
    ['tenant when the campaign is unknown', 'Bogus/Zone', 'Asia/Tokyo', 'Asia/Tokyo'],
    ['UTC when neither is set', undefined, undefined, 'UTC'],
    ['UTC when both are null', null, null, 'UTC'],
  ] as const)('resolveTimeZone: %s', (_name, campaign, tenant, expected) => {
    expect(resolveTimeZone(campaign, tenant)).toBe(expected);
  });

  test('offsets and wall clocks come from the zone, not the host', () => {
    expect(utcOffsetMs(new Date('2026-05-11T00:00:00Z'), 'Asia/Kathmandu')).toBe((5 * 60 + 45) * 60_000);
    expect(utcOffsetMs(new Date('2026-01-15T12:00:00Z'), 'Europe/Berlin')).toBe(3_600_000);
    expect(utcOffsetMs(new Date('2026-07-15T12:00:00Z'), 'Europe/Berlin')).toBe(7_200_000);
    expect(utcOffsetMs(new Date('2026-07-15T12:00:00Z'), 'America/Lima')).toBe(-5 * 3_600_000);
    expect(wallClockAt(new Date('2026-05-11T05:00:00Z'), 'America/Lima')).toEqual({ year: 2026, month: 5, day: 11, hour: 0, minute: 0, second: 0 });
  });
});

describe('describeWindow', () => {
  test.each([
    [lima(9, 21), '09:00–21:00 America/Lima'],
    [berlin(20, 8), '20:00–08:00 Europe/Berlin'],
    [{ timeZone: 'UTC', startHour: 0, endHour: 0 }, 'always open (UTC)'],
  ])('%j → %s', (window, text) => {
    expect(describeWindow(window)).toBe(text);
  });
});

// Workers may run with any process TZ; the module must never read it. A child process with
// TZ=Asia/Tokyo (UTC+9, no DST) imports the module fresh and must compute the same table.
test('results do not depend on the process time zone (child with TZ=Asia/Tokyo)', async () => {
  const moduleUrl = new URL('../../src/domain/notification-window.ts', import.meta.url).href;
  const script = `
    const { nextWindowOpening, isWindowOpen } = await import(process.argv[1]);
    const cases = JSON.parse(process.argv[2]);
    const results = cases.map((c) => ({
      opens: nextWindowOpening(new Date(c.at), c.window).toISOString(),
      openAtStart: isWindowOpen(new Date(c.at), c.window),
    }));
    console.log(JSON.stringify({
      hostZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      hostHourAtEpoch: new Date(0).getHours(),
      results,
    }));`;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '--eval', script, moduleUrl, JSON.stringify(openingCases)],
    { cwd: fileURLToPath(new URL('../..', import.meta.url)), env: { ...process.env, TZ: 'Asia/Tokyo', NODE_OPTIONS: '' } },
  );
  const child = JSON.parse(stdout) as { hostZone: string; hostHourAtEpoch: number; results: { opens: string; openAtStart: boolean }[] };
  // the child really ran in Tokyo's zone...
  expect(child.hostZone).toBe('Asia/Tokyo');
  expect(child.hostHourAtEpoch).toBe(9);
  // ...and still computed the UTC-written expectations
  expect(child.results).toEqual(openingCases.map(({ at, opens }) => ({ opens, openAtStart: at === opens })));
});
