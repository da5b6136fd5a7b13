// /metrics is not open by accident, and a scrape is cheap: the API process refuses to start without
// METRICS_TOKEN outside dev and tests unless METRICS_PUBLIC=true (then it warns), and the database
// gauges are counted at most once per METRICS_GAUGE_REFRESH, however often anyone scrapes.
import { ConfigError, loadConfig } from '../../src/config.js';
import { startApi } from '../../src/main/api.js';
import { requireMetricsProtection } from '../../src/main/startup-warnings.js';
import { throttledRefresh } from '../../src/observability/throttled-refresh.js';
import { BASE_TEST_ENV, startTestSystem, type TestSystem } from '../support/system.js';
import { seedCampaign, seedTask } from '../support/factories.js';

const METRICS_TOKEN = 'metrics-exposure-token-0123';

describe('the API process and METRICS_TOKEN', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  });

  test('npm run api without METRICS_TOKEN refuses to start, naming the variable', async () => {
    Object.assign(process.env, BASE_TEST_ENV, { DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none', TEMPORAL_ADDRESS: '127.0.0.1:1' });
    delete process.env.METRICS_TOKEN;
    delete process.env.METRICS_PUBLIC;
    const started = startApi();
    await expect(started).rejects.toBeInstanceOf(ConfigError);
    await expect(started).rejects.toThrow(/METRICS_TOKEN is required/);
  });

  test('METRICS_PUBLIC=true lets it start with an open /metrics, said out loud; a token or npm run dev needs nothing', () => {
    const warnings: string[] = [];
    const logger = { warn: (message: string) => void warnings.push(message) };
    requireMetricsProtection(loadConfig({ ...BASE_TEST_ENV, METRICS_PUBLIC: 'true' }), logger);
    expect(warnings).toEqual([expect.stringMatching(/METRICS_PUBLIC is on/)]);
    requireMetricsProtection(loadConfig({ ...BASE_TEST_ENV, METRICS_TOKEN }), logger);
    requireMetricsProtection(loadConfig({ ...BASE_TEST_ENV }), logger, { dev: true });
    expect(warnings).toHaveLength(1);
    expect(() => requireMetricsProtection(loadConfig({ ...BASE_TEST_ENV, METRICS_PUBLIC: 'false' }), logger)).toThrow(ConfigError);
  });
});

describe('database gauges', () => {
  let system: TestSystem;

  beforeAll(async () => {
    // No worker: only the API's /metrics is asked. A long refresh interval, so "reused" does not depend on timing.
    system = await startTestSystem({ worker: false, env: { METRICS_TOKEN, METRICS_GAUGE_REFRESH: '1h' } });
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  });

  const backlog = async () => {
    const response = await system.request('GET', '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(response.status).toBe(200);
    return Number(/^social_sweeper_backlog\{sweeper="claims"\} (\d+)$/m.exec(response.text)?.[1]);
  };

  test('are counted once per interval, not on every scrape', async () => {
    expect(await backlog()).toBe(0);
    // A claim whose workflow never started: a fresh count would show it.
    const tenantId = await system.createTenant('gauges');
    const campaign = await seedCampaign(system.deps.db, tenantId);
    const task = await seedTask(system.deps.db, tenantId, campaign.id, { spinsReward: 1 });
    const user = await system.deps.db.endUser.create({ data: { tenantId, name: 'U', phone: '+51900000001' } });
    const id = '00000000-0000-4000-8000-0000000000aa';
    await system.deps.db.claim.create({
      data: {
        id,
        tenantId,
        campaignId: campaign.id,
        taskId: task.id,
        userId: user.id,
        workflowId: `claim-${id}`,
        claimedAt: new Date(Date.now() - 60_000),
      },
    });
    for (let scrape = 0; scrape < 5; scrape++) expect(await backlog()).toBe(0);
  });
});

describe('throttledRefresh', () => {
  test('runs at most once per interval; concurrent callers share the run; a failure waits for the interval too', async () => {
    let clock = 0;
    let runs = 0;
    let fail = false;
    let release: () => void = () => {};
    const refresh = throttledRefresh(
      () => {
        runs++;
        if (fail) return Promise.reject(new Error('database down'));
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
      15_000,
      () => clock,
    );
    const first = refresh();
    const second = refresh();
    expect(runs).toBe(1);
    release();
    await Promise.all([first, second]);
    clock += 14_999;
    await refresh();
    expect(runs).toBe(1);
    clock += 1;
    fail = true;
    await expect(refresh()).rejects.toThrow('database down');
    expect(runs).toBe(2);
    await refresh();
    expect(runs).toBe(2);
  });
});
