// Crawls slow down as Meta's usage headers approach 100 %, wait out a named regain time, and each
// tenant has its own budget.
import { MAX_PAUSE_MS, UsagePacer, usagePercent } from '../../src/comment-index/usage-pacer.js';

const app = (call_count: number, total_time = 0, total_cputime = 0) => ({ 'x-app-usage': JSON.stringify({ call_count, total_time, total_cputime }) });
const buc = (entry: Record<string, number>) => ({
  'x-business-use-case-usage': JSON.stringify({ '17841400000000001': [{ type: 'instagram', ...entry }] }),
});

test('the busiest budget of X-App-Usage and X-Business-Use-Case-Usage counts', () => {
  expect(usagePercent({})).toBeUndefined();
  expect(usagePercent(app(12, 40, 5))).toBe(40);
  expect(usagePercent({ ...app(10), ...buc({ call_count: 5, total_time: 91, total_cputime: 3 }) })).toBe(91);
});

test('no pause below 70 %, a growing one above, the longest at 100 %', () => {
  const pacer = new UsagePacer(() => 0);
  pacer.observe('t1', app(50));
  expect(pacer.pauseMs('t1')).toBe(0);
  pacer.observe('t1', app(85));
  const at85 = pacer.pauseMs('t1');
  pacer.observe('t1', app(95));
  const at95 = pacer.pauseMs('t1');
  expect(at85).toBeGreaterThan(0);
  expect(at95).toBeGreaterThan(at85);
  pacer.observe('t1', app(100));
  expect(pacer.pauseMs('t1')).toBe(MAX_PAUSE_MS);
});

test('a regain time (BUC minutes, or a throttling error) blocks the tenant until it has passed', () => {
  let now = 1_000_000;
  const pacer = new UsagePacer(() => now);
  pacer.observe('t1', buc({ call_count: 100, total_time: 20, total_cputime: 20, estimated_time_to_regain_access: 5 }));
  expect(pacer.pauseMs('t1')).toBe(5 * 60_000);
  now += 4 * 60_000;
  expect(pacer.pauseMs('t1')).toBe(60_000);
  pacer.throttled('t2', 90_000);
  expect(pacer.pauseMs('t2')).toBe(90_000);
});

test('tenants do not share a budget', () => {
  const pacer = new UsagePacer(() => 0);
  pacer.observe('busy', app(99));
  expect(pacer.pauseMs('busy')).toBeGreaterThan(0);
  expect(pacer.pauseMs('quiet')).toBe(0);
  pacer.observe('quiet', app(10));
  expect(pacer.pauseMs('quiet')).toBe(0);
});

test('once the regain time has passed (or a retry waited it out), the throttled usage no longer slows the next call', () => {
  let now = 1_000_000;
  const pacer = new UsagePacer(() => now);
  // Meta's throttling answer reports the budget at 100 % together with the regain time.
  pacer.observe('waited', buc({ call_count: 100, total_time: 20, total_cputime: 20, estimated_time_to_regain_access: 7 }));
  pacer.throttled('waited', 7 * 60_000);
  now += 7 * 60_000;
  expect(pacer.pauseMs('waited')).toBe(0);

  pacer.observe('retried', buc({ call_count: 100, total_time: 20, total_cputime: 20, estimated_time_to_regain_access: 7 }));
  pacer.throttled('retried', 7 * 60_000);
  pacer.liftBlock('retried');
  expect(pacer.pauseMs('retried')).toBe(0);

  // Usage near the limit without a regain time still slows the tenant down.
  pacer.observe('busy', app(100));
  pacer.liftBlock('busy');
  expect(pacer.pauseMs('busy')).toBe(MAX_PAUSE_MS);
});
