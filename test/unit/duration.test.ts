import { parseDuration } from '../../src/domain/duration.js';

describe('parseDuration', () => {
  test.each([
    ['500ms', 500],
    ['2s', 2_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['24h', 86_400_000],
    ['10d', 864_000_000],
    ['0ms', 0],
    ['1.5s', 1_500],
    [' 5m ', 300_000],
  ])('%j is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test.each(['', ' ', '5', 'm', 'ms', '-5m', '+5m', '5 m', '5min', '5M', '5S', '1w', '5m30s', '.5s', '5.s', '1e3ms', '0x10s', 'five m', '5m!'])(
    '%j is not a duration',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );
});
