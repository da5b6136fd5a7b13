import { randomBytes } from 'node:crypto';
import { ConfigError, KNOWN_ENV_VARS, loadConfig, requireSetting, type AppConfig } from '../../src/config.js';

const JWT_SECRET = 'j'.repeat(32);
const KEY = randomBytes(32);
/** The least a process needs: everything else has a default. */
const REQUIRED = { JWT_SECRET, TOKEN_ENCRYPTION_KEY: KEY.toString('base64') };

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig defaults (the contract table)', () => {
  const config = loadConfig({ ...REQUIRED });

  test.each<[string, (c: AppConfig) => unknown, unknown]>([
    ['PORT', (c) => c.port, 3000],
    ['DATABASE_URL', (c) => c.databaseUrl, undefined],
    ['DATABASE_POOL_SIZE', (c) => c.databasePoolSize, undefined],
    ['TEMPORAL_ADDRESS', (c) => c.temporal.address, undefined],
    ['TEMPORAL_NAMESPACE', (c) => c.temporal.namespace, 'default'],
    ['TEMPORAL_TASK_QUEUE', (c) => c.temporal.taskQueue, 'social-tasks'],
    ['CLAIM_VERIFY_DELAY', (c) => c.claimVerifyDelayMs, 5 * 60_000],
    ['TOKEN_REFRESH_INTERVAL', (c) => c.tokenRefreshIntervalMs, 24 * 3_600_000],
    ['TOKEN_REFRESH_THRESHOLD', (c) => c.tokenRefreshThresholdMs, 10 * 86_400_000],
    ['MANUAL_REVIEW_TIMEOUT', (c) => c.manualReviewTimeoutMs, 7 * 86_400_000],
    ['NOTIFICATION_MAX_DELAY', (c) => c.notificationMaxDelayMs, 7 * 86_400_000],
    ['CREDENTIAL_RETRY_WINDOW', (c) => c.credentialRetryWindowMs, 24 * 3_600_000],
    ['OUTBOUND_HTTP_TIMEOUT', (c) => c.outboundHttpTimeoutMs, 10_000],
    ['RETENTION_DAYS', (c) => c.retentionDays, 30],
    ['METRICS_PUBLIC', (c) => c.observability.metricsPublic, false],
    ['PLATFORM_WHATSAPP_DAILY_QUOTA', (c) => c.platformWhatsappDailyQuota, 1000],
    ['MAX_WATCHED_TARGETS_PER_TENANT', (c) => c.maxWatchedTargetsPerTenant, 200],
    ['METRICS_GAUGE_REFRESH', (c) => c.observability.gaugeRefreshMs, 15_000],
    ['CLAIM_RATE_PER_USER', (c) => c.rateLimits.claimsPerUserPerMinute, 30],
    ['CLAIM_RATE_PER_TENANT', (c) => c.rateLimits.claimsPerTenantPerSecond, 200],
    ['TIMELINE_READ_RATE_PER_CALLER', (c) => c.rateLimits.timelineReadsPerCallerPerMinute, 60],
    ['EVENTS_WEBHOOK_RETRY_WINDOW', (c) => c.eventsWebhookRetryWindowMs, 24 * 3_600_000],
    ['COMMENT_INDEX_COALESCE', (c) => c.commentIndex.coalesceMs, 2_000],
    ['COMMENT_INDEX_CHECK_ATTEMPTS', (c) => c.commentIndex.checkAttempts, 3],
    ['META_OUTAGE_FALLBACK_AFTER', (c) => c.commentIndex.outageFallbackMs, 3_600_000],
    ['META_GRAPH_BASE_URL', (c) => c.meta.graphBaseUrl, 'https://graph.facebook.com'],
    ['META_GRAPH_VERSION', (c) => c.meta.graphVersion, 'v26.0'],
    ['META_APP_ID', (c) => c.meta.appId, undefined],
    ['META_APP_SECRET', (c) => c.meta.appSecret, undefined],
    ['META_OAUTH_REDIRECT_URI', (c) => c.meta.oauthRedirectUri, undefined],
    ['META_EMBEDDED_SIGNUP_CONFIG_ID', (c) => c.meta.embeddedSignupConfigId, undefined],
    ['META_WEBHOOK_VERIFY_TOKEN', (c) => c.meta.webhookVerifyToken, undefined],
    ['META_REGISTRATION_PIN', (c) => c.meta.registrationPin, undefined],
    ['WHATSAPP_API_URL', (c) => c.whatsappPlatform.apiUrl, undefined],
    ['WHATSAPP_API_KEY', (c) => c.whatsappPlatform.apiKey, undefined],
    ['WHATSAPP_INSTANCE_ID', (c) => c.whatsappPlatform.instanceId, undefined],
    ['PUBLIC_APP_URL', (c) => c.publicAppUrl, 'http://localhost:3000'],
    ['LOG_LEVEL', (c) => c.logLevel, 'info'],
    ['OUTBOUND_ALLOW_PRIVATE_NETWORKS', (c) => c.outboundAllowPrivateNetworks, false],
    ['JWT_ISSUER', (c) => c.jwtIssuer, undefined],
    ['JWT_AUDIENCE', (c) => c.jwtAudience, undefined],
    ['JWT_END_USER_MAX_LIFETIME', (c) => c.jwtMaxLifetimeMs.endUser, 24 * 3_600_000],
    ['JWT_ADMIN_MAX_LIFETIME', (c) => c.jwtMaxLifetimeMs.admin, 30 * 86_400_000],
    ['META_DASHBOARD_ORIGIN', (c) => c.meta.dashboardOrigin, undefined],
    ['META_DASHBOARD_URL', (c) => c.meta.dashboardUrl, undefined],
  ])('%s unset', (_name, read, expected) => {
    expect(read(config)).toEqual(expected);
  });

  test('the key and secret are the ones given', () => {
    expect(config.jwtSecret).toBe(JWT_SECRET);
    expect(config.tokenEncryptionKey.equals(KEY)).toBe(true);
  });
});

describe('loadConfig reads every variable', () => {
  const env = {
    ...REQUIRED,
    PORT: '8080',
    DATABASE_URL: 'postgresql://app:pw@db:5432/app',
    DATABASE_POOL_SIZE: '64',
    TEMPORAL_ADDRESS: 'temporal:7233',
    TEMPORAL_NAMESPACE: 'prod',
    TEMPORAL_TASK_QUEUE: 'tasks-2',
    CLAIM_VERIFY_DELAY: '2s',
    TOKEN_REFRESH_INTERVAL: '1h',
    TOKEN_REFRESH_THRESHOLD: '3d',
    MANUAL_REVIEW_TIMEOUT: '2d',
    NOTIFICATION_MAX_DELAY: '12h',
    CREDENTIAL_RETRY_WINDOW: '30m',
    OUTBOUND_HTTP_TIMEOUT: '500ms',
    COMMENT_INDEX_COALESCE: '1s',
    COMMENT_INDEX_CHECK_ATTEMPTS: '5',
    META_OUTAGE_FALLBACK_AFTER: '2h',
    META_GRAPH_BASE_URL: 'http://127.0.0.1:9999/graph/',
    META_GRAPH_VERSION: 'v27.0',
    META_APP_ID: 'app-id',
    META_APP_SECRET: 'app-secret',
    META_OAUTH_REDIRECT_URI: 'https://api.example.com/meta/callback',
    META_EMBEDDED_SIGNUP_CONFIG_ID: 'cfg-1',
    META_WEBHOOK_VERIFY_TOKEN: 'verify-me',
    META_REGISTRATION_PIN: '123456',
    WHATSAPP_API_URL: 'https://wa.example.com/send',
    WHATSAPP_API_KEY: 'wa-key',
    WHATSAPP_INSTANCE_ID: 'inst-1',
    PLATFORM_WHATSAPP_DAILY_QUOTA: '250',
    MAX_WATCHED_TARGETS_PER_TENANT: '50',
    PUBLIC_APP_URL: 'https://campaigns.example.com/',
    LOG_LEVEL: 'debug',
    WORKER_METRICS_PORT: '9464',
    METRICS_TOKEN: 'scrape-token-0123456789',
    METRICS_PUBLIC: 'false',
    METRICS_GAUGE_REFRESH: '30s',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318/',
    RETENTION_DAYS: '45',
    CLAIM_RATE_PER_USER: '10',
    CLAIM_RATE_PER_TENANT: '500',
    TIMELINE_READ_RATE_PER_CALLER: '120',
    EVENTS_WEBHOOK_RETRY_WINDOW: '2h',
    TEMPORAL_SEND_TASK_QUEUE: 'tasks-2-paced',
    WHATSAPP_SEND_RATE: '250',
    WHATSAPP_PAUSE_PROBE_INTERVAL: '30m',
    OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true',
    JWT_ISSUER: 'https://auth.example.com',
    JWT_AUDIENCE: 'social-tasks-api',
    JWT_END_USER_MAX_LIFETIME: '2h',
    JWT_ADMIN_MAX_LIFETIME: '7d',
    META_DASHBOARD_ORIGIN: 'https://dashboard.example.com',
    META_DASHBOARD_URL: 'https://dashboard.example.com/whatsapp/connected',
  };

  test('the test environment names every known variable', () => {
    expect(Object.keys(env).sort()).toEqual([...KNOWN_ENV_VARS].sort());
  });

  test('values are parsed into the config object', () => {
    expect(loadConfig(env)).toEqual({
      port: 8080,
      databaseUrl: 'postgresql://app:pw@db:5432/app',
      databasePoolSize: 64,
      temporal: { address: 'temporal:7233', namespace: 'prod', taskQueue: 'tasks-2', sendTaskQueue: 'tasks-2-paced' },
      whatsappSendRate: 250,
      whatsappPauseProbeIntervalMs: 1_800_000,
      jwtSecret: JWT_SECRET,
      jwtIssuer: 'https://auth.example.com',
      jwtAudience: 'social-tasks-api',
      jwtMaxLifetimeMs: { endUser: 2 * 3_600_000, admin: 7 * 86_400_000 },
      outboundAllowPrivateNetworks: true,
      tokenEncryptionKey: KEY,
      claimVerifyDelayMs: 2_000,
      tokenRefreshIntervalMs: 3_600_000,
      tokenRefreshThresholdMs: 3 * 86_400_000,
      manualReviewTimeoutMs: 2 * 86_400_000,
      notificationMaxDelayMs: 12 * 3_600_000,
      credentialRetryWindowMs: 30 * 60_000,
      outboundHttpTimeoutMs: 500,
      retentionDays: 45,
      eventsWebhookRetryWindowMs: 2 * 3_600_000,
      rateLimits: { claimsPerUserPerMinute: 10, claimsPerTenantPerSecond: 500, timelineReadsPerCallerPerMinute: 120 },
      commentIndex: { coalesceMs: 1_000, checkAttempts: 5, outageFallbackMs: 2 * 3_600_000 },
      meta: {
        graphBaseUrl: 'http://127.0.0.1:9999/graph',
        graphVersion: 'v27.0',
        appId: 'app-id',
        appSecret: 'app-secret',
        oauthRedirectUri: 'https://api.example.com/meta/callback',
        embeddedSignupConfigId: 'cfg-1',
        webhookVerifyToken: 'verify-me',
        registrationPin: '123456',
        dashboardOrigin: 'https://dashboard.example.com',
        dashboardUrl: 'https://dashboard.example.com/whatsapp/connected',
      },
      whatsappPlatform: { apiUrl: 'https://wa.example.com/send', apiKey: 'wa-key', instanceId: 'inst-1' },
      platformWhatsappDailyQuota: 250,
      maxWatchedTargetsPerTenant: 50,
      publicAppUrl: 'https://campaigns.example.com',
      logLevel: 'debug',
      observability: {
        workerMetricsPort: 9464,
        metricsToken: 'scrape-token-0123456789',
        metricsPublic: false,
        gaugeRefreshMs: 30_000,
        otlpEndpoint: 'http://otel-collector:4318',
      },
    });
  });

  test('blank values count as unset', () => {
    const config = loadConfig({ ...REQUIRED, TEMPORAL_NAMESPACE: '   ', DATABASE_URL: '', CLAIM_VERIFY_DELAY: ' ' });
    expect(config.temporal.namespace).toBe('default');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.claimVerifyDelayMs).toBe(300_000);
  });
});

describe('loadConfig rejects bad values with a ConfigError naming the variable', () => {
  test.each([
    ['JWT_SECRET', undefined],
    ['JWT_SECRET', ''],
    ['JWT_SECRET', 'j'.repeat(31)],
    ['TOKEN_ENCRYPTION_KEY', undefined],
    ['TOKEN_ENCRYPTION_KEY', randomBytes(16).toString('base64')],
    ['TOKEN_ENCRYPTION_KEY', randomBytes(31).toString('base64')],
    ['TOKEN_ENCRYPTION_KEY', randomBytes(33).toString('base64')],
    ['TOKEN_ENCRYPTION_KEY', Buffer.from([0xfb, 0xff, ...randomBytes(30)]).toString('base64url')],
    ['TOKEN_ENCRYPTION_KEY', `${randomBytes(32).toString('base64')}!`],
    ['CLAIM_VERIFY_DELAY', '5'],
    ['CLAIM_VERIFY_DELAY', '5 minutes'],
    ['CLAIM_VERIFY_DELAY', '0s'],
    ['CLAIM_VERIFY_DELAY', '-5m'],
    ['TOKEN_REFRESH_INTERVAL', '1w'],
    ['TOKEN_REFRESH_THRESHOLD', 'ten days'],
    ['OUTBOUND_HTTP_TIMEOUT', '10S'],
    ['META_GRAPH_BASE_URL', 'not a url'],
    ['META_GRAPH_BASE_URL', 'ftp://graph.example.com'],
    ['META_OAUTH_REDIRECT_URI', '/meta/callback'],
    ['WHATSAPP_API_URL', 'wa.example.com/send'],
    ['PUBLIC_APP_URL', 'javascript:alert(1)'],
    ['PORT', 'http'],
    ['PORT', '70000'],
    ['META_GRAPH_VERSION', '26.0'],
    ['META_REGISTRATION_PIN', '12345'],
    ['WORKER_METRICS_PORT', 'metrics'],
    ['METRICS_TOKEN', 'short'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318'],
    ['RETENTION_DAYS', '0'],
    ['RETENTION_DAYS', 'a month'],
    ['CLAIM_RATE_PER_USER', '0'],
    ['CLAIM_RATE_PER_TENANT', '2.5'],
    ['TIMELINE_READ_RATE_PER_CALLER', 'lots'],
    ['OUTBOUND_ALLOW_PRIVATE_NETWORKS', 'yes please'],
    ['META_DASHBOARD_ORIGIN', 'https://dashboard.example.com/path'],
    ['META_DASHBOARD_ORIGIN', '*'],
    ['META_DASHBOARD_URL', 'dashboard.example.com'],
    ['JWT_END_USER_MAX_LIFETIME', 'a day'],
    ['DATABASE_POOL_SIZE', '0'],
    ['DATABASE_POOL_SIZE', 'many'],
    ['DATABASE_POOL_SIZE', '2.5'],
  ])('%s=%j', (name, value) => {
    const problems = problemsOf({ ...REQUIRED, [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name} `));
  });

  test('a hex TOKEN_ENCRYPTION_KEY of 32 bytes is refused even though it decodes as base64', () => {
    // 64 hex characters are valid base64 and decode to 48 bytes: the length check catches it.
    expect(problemsOf({ ...REQUIRED, TOKEN_ENCRYPTION_KEY: KEY.toString('hex') })[0]).toContain('exactly 32 bytes');
  });

  test('every problem is reported at once, in the error message too', () => {
    let caught: unknown;
    try {
      loadConfig({ JWT_SECRET: 'short', CLAIM_VERIFY_DELAY: 'soon', PUBLIC_APP_URL: 'nope' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.problems.map((problem) => problem.split(' ')[0])).toEqual([
      'JWT_SECRET',
      'TOKEN_ENCRYPTION_KEY',
      'CLAIM_VERIFY_DELAY',
      'PUBLIC_APP_URL',
    ]);
    expect(error.message).toContain('Invalid configuration');
    for (const problem of error.problems) expect(error.message).toContain(problem);
  });

  test('a problem never repeats a secret value', () => {
    const secret = 'x'.repeat(20);
    const problems = problemsOf({ JWT_SECRET: secret, TOKEN_ENCRYPTION_KEY: 'c2VjcmV0LWtleQ==' });
    expect(problems.join('\n')).not.toContain(secret);
    expect(problems.join('\n')).not.toContain('c2VjcmV0LWtleQ==');
  });
});

describe('the config object', () => {
  test('is frozen all the way down', () => {
    const config = loadConfig({ ...REQUIRED }) as unknown as Record<string, Record<string, unknown>>;
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.temporal)).toBe(true);
    expect(Object.isFrozen(config.meta)).toBe(true);
    expect(Object.isFrozen(config.whatsappPlatform)).toBe(true);
    expect(() => {
      config.port = 1 as unknown as Record<string, unknown>;
    }).toThrow(TypeError);
    expect(() => {
      config.temporal!.namespace = 'other';
    }).toThrow(TypeError);
  });

  test('requireSetting names the missing setting', () => {
    const config = loadConfig({ ...REQUIRED });
    expect(() => requireSetting(config.databaseUrl, 'DATABASE_URL')).toThrow(new ConfigError(['DATABASE_URL is required for this process']));
    expect(requireSetting(loadConfig({ ...REQUIRED, TEMPORAL_ADDRESS: 'temporal:7233' }).temporal.address, 'TEMPORAL_ADDRESS')).toBe('temporal:7233');
  });
});
