// One config object: read from the environment once at boot, validated, frozen, never logged.
import { parseDuration } from './domain/duration.js';

export interface AppConfig {
  readonly port: number;
  readonly databaseUrl: string | undefined;
  /** Connections of the process's database pool (DATABASE_POOL_SIZE); unset: sized from the process's slots */
  readonly databasePoolSize: number | undefined;
  readonly temporal: {
    readonly address: string | undefined;
    readonly namespace: string;
    readonly taskQueue: string;
    /** Send activities' own task queue, paced per sending channel by fairness keys (TEMPORAL_SEND_TASK_QUEUE) */
    readonly sendTaskQueue: string;
  };
  /** Messages per second per sending channel (WhatsApp's 80/s per business number by default; WHATSAPP_SEND_RATE) */
  readonly whatsappSendRate: number;
  /** A paused WhatsApp number or account gets one probe send this often (WHATSAPP_PAUSE_PROBE_INTERVAL, default 1h) */
  readonly whatsappPauseProbeIntervalMs: number;
  readonly jwtSecret: string;
  /** When set, every token must carry these `iss` / `aud` (JWT_ISSUER, JWT_AUDIENCE) */
  readonly jwtIssuer: string | undefined;
  readonly jwtAudience: string | undefined;
  /** Longest lifetime (exp - now) accepted for a token of each role */
  readonly jwtMaxLifetimeMs: { readonly endUser: number; readonly admin: number };
  /** Whether calls to tenant-supplied hosts may reach loopback/private/link-local addresses (dev and tests only) */
  readonly outboundAllowPrivateNetworks: boolean;
  /** 32 raw bytes of the AES-256-GCM key */
  readonly tokenEncryptionKey: Buffer;
  readonly claimVerifyDelayMs: number;
  readonly tokenRefreshIntervalMs: number;
  readonly tokenRefreshThresholdMs: number;
  /** MANUAL verification gives up (FAILED) after this long without a decision */
  readonly manualReviewTimeoutMs: number;
  /** A verified claim whose notice would go out later than this after verification is not notified */
  readonly notificationMaxDelayMs: number;
  /** How long a claim keeps retrying while the tenant's Meta credentials are rejected */
  readonly credentialRetryWindowMs: number;
  /** Timeout of every outbound HTTP request (Meta, WhatsApp providers) */
  readonly outboundHttpTimeoutMs: number;
  /** Processed webhook deliveries and delivery statuses older than this many days are deleted */
  readonly retentionDays: number;
  /** How long a tenant event keeps being retried (exponential backoff) before it is FAILED (EVENTS_WEBHOOK_RETRY_WINDOW) */
  readonly eventsWebhookRetryWindowMs: number;
  /** Request budgets shared by every API process (src/rate-limits); beyond them 429 with Retry-After */
  readonly rateLimits: {
    /** Claims one end user may start per minute (CLAIM_RATE_PER_USER) */
    readonly claimsPerUserPerMinute: number;
    /** Claims one tenant's end users may start per second together (CLAIM_RATE_PER_TENANT) */
    readonly claimsPerTenantPerSecond: number;
    /** Timeline reads (a Temporal query and a history fetch each) per caller per minute (TIMELINE_READ_RATE_PER_CALLER) */
    readonly timelineReadsPerCallerPerMinute: number;
  };
  /** Comment index (src/comment-index): claims on a target share its crawls */
  readonly commentIndex: {
    /** Freshness requests arriving within this long of the first share one crawl */
    readonly coalesceMs: number;
    /** Consecutive failed crawls of a target Meta refuses for good (deleted, no access) after which its claims go to the fallback */
    readonly checkAttempts: number;
    /** A target Meta has not let us read (down, throttling) for this long sends its claims to the fallback (META_OUTAGE_FALLBACK_AFTER) */
    readonly outageFallbackMs: number;
  };
  readonly meta: {
    readonly graphBaseUrl: string;
    readonly graphVersion: string;
    readonly appId: string | undefined;
    readonly appSecret: string | undefined;
    readonly oauthRedirectUri: string | undefined;
    readonly embeddedSignupConfigId: string | undefined;
    readonly webhookVerifyToken: string | undefined;
    /** 6-digit PIN used when registering a newly connected phone number */
    readonly registrationPin: string | undefined;
    /** Origin the OAuth callback page posts `code` and `state` to (window.opener.postMessage target) */
    readonly dashboardOrigin: string | undefined;
    /** Where the OAuth callback page sends the browser (with `code` and `state`) when there is no opener */
    readonly dashboardUrl: string | undefined;
  };
  readonly whatsappPlatform: {
    readonly apiUrl: string | undefined;
    readonly apiKey: string | undefined;
    readonly instanceId: string | undefined;
  };
  /** Messages per tenant and UTC day the platform's provider sends for a tenant allowed to use it (PLATFORM_WHATSAPP_DAILY_QUOTA) */
  readonly platformWhatsappDailyQuota: number;
  /** Distinct posts a tenant's META_API tasks may watch (each one is crawled in full, then kept fresh) (MAX_WATCHED_TARGETS_PER_TENANT) */
  readonly maxWatchedTargetsPerTenant: number;
  readonly publicAppUrl: string;
  readonly logLevel: string;
  readonly observability: {
    /** Port of the worker's Prometheus endpoint (WORKER_METRICS_PORT); no endpoint when unset */
    readonly workerMetricsPort: number | undefined;
    /** Bearer token both /metrics endpoints require when set (METRICS_TOKEN) */
    readonly metricsToken: string | undefined;
    /** METRICS_PUBLIC=true: the operator means /metrics to be open without a token (the API warns at startup) */
    readonly metricsPublic: boolean;
    /** How long the database gauges of /metrics are reused before one scrape recounts them (METRICS_GAUGE_REFRESH) */
    readonly gaugeRefreshMs: number;
    /** OTLP/HTTP endpoint of the trace collector (OTEL_EXPORTER_OTLP_ENDPOINT); spans are not exported when unset */
    readonly otlpEndpoint: string | undefined;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** One variable as the configuration manual shows it (docs/configuration.md is generated from these). */
export interface EnvVarDoc {
  readonly name: string;
  /** What applies when it is unset, in words ("unset" when nothing does). */
  readonly default: string;
  readonly meaning: string;
}

/**
 * Variables read outside loadConfig, by the dev stack, the tests and the binaries resolver; listed here so
 * the configuration manual names every variable in one place.
 */
const VARIABLES_READ_ELSEWHERE: readonly EnvVarDoc[] = [
  {
    name: 'TEMPORAL_CLI_PATH',
    default: '`.tools/venv/bin/temporal`, then `PATH`',
    meaning: 'the Temporal CLI used by `npm run dev`, the tests and the schedule commands',
  },
  {
    name: 'TEMPORAL_TEST_SERVER_PATH',
    default: '`.tools/venv/bin/…`, then `PATH`',
    meaning: 'the time-skipping test server used by the workflow tests',
  },
  { name: 'DEV_POSTGRES_PORT', default: '54329', meaning: '`npm run dev` only: port of the embedded PostgreSQL' },
  { name: 'DEV_TEMPORAL_PORT', default: '7233', meaning: '`npm run dev` only: gRPC port of the Temporal dev server' },
  { name: 'DEV_TEMPORAL_UI_PORT', default: '8233', meaning: '`npm run dev` only: port of the Temporal web UI' },
  {
    name: 'DEV_WHATSAPP_SINK_PORT',
    default: '3999',
    meaning: '`npm run dev` only: port of the local stand-in that prints platform WhatsApp messages',
  },
];

/**
 * Reads the environment and describes every variable it reads, in the same pass: each reader takes the
 * variable's name, default and meaning, so a variable is described once, where it is parsed.
 */
function readConfig(env: Env): { config: AppConfig; problems: string[]; variables: EnvVarDoc[] } {
  const problems: string[] = [];
  const variables: EnvVarDoc[] = [];
  const describe = (name: string, fallback: string | undefined, meaning: string): void => {
    variables.push({ name, default: fallback === undefined ? 'unset' : `\`${fallback}\``, meaning });
  };
  const raw = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  function text(name: string, fallback: string, meaning: string): string;
  function text(name: string, fallback: undefined, meaning: string): string | undefined;
  function text(name: string, fallback: string | undefined, meaning: string): string | undefined {
    describe(name, fallback, meaning);
    return raw(name) ?? fallback;
  }
  const duration = (name: string, fallback: string, meaning: string): number => {
    describe(name, fallback, `${meaning} (a duration: \`500ms\`, \`2s\`, \`5m\`, \`1h\`, \`10d\`)`);
    const value = raw(name) ?? fallback;
    const ms = parseDuration(value);
    if (ms === undefined || ms <= 0) {
      problems.push(`${name} must be a duration such as 500ms, 2s, 5m, 1h or 10d (got "${value}")`);
      return 0;
    }
    return ms;
  };
  const parseUrl = (name: string, value: string | undefined): string | undefined => {
    if (value === undefined) return undefined;
    try {
      const parsed = new URL(value);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
      return value.replace(/\/+$/, '');
    } catch {
      problems.push(`${name} must be an http(s) URL (got "${value}")`);
      return undefined;
    }
  };
  function url(name: string, fallback: string, meaning: string): string;
  function url(name: string, fallback: undefined, meaning: string): string | undefined;
  function url(name: string, fallback: string | undefined, meaning: string): string | undefined {
    describe(name, fallback, meaning);
    return parseUrl(name, raw(name) ?? fallback) ?? fallback;
  }
  // postMessage needs an exact origin (scheme://host[:port]), never "*" and never a path.
  const origin = (name: string, meaning: string): string | undefined => {
    describe(name, undefined, meaning);
    const value = parseUrl(name, raw(name));
    if (value === undefined) return undefined;
    const parsed = new URL(value);
    if (parsed.origin !== value) problems.push(`${name} must be an origin such as https://dashboard.example.com (got "${value}")`);
    return parsed.origin;
  };
  const flag = (name: string, fallback: boolean, meaning: string): boolean => {
    describe(name, String(fallback), meaning);
    const value = raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    problems.push(`${name} must be true or false (got "${value}")`);
    return fallback;
  };
  /** A whole number in [min, max]; `problem` says what was expected. */
  function integer(name: string, fallback: number, meaning: string, range: [number, number], problem: string): number;
  function integer(name: string, fallback: undefined, meaning: string, range: [number, number], problem: string): number | undefined;
  function integer(name: string, fallback: number | undefined, meaning: string, [min, max]: [number, number], problem: string): number | undefined {
    describe(name, fallback === undefined ? undefined : String(fallback), meaning);
    const value = raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || parsed < min || parsed > max) {
      problems.push(`${name} must be ${problem} (got "${value}")`);
      return fallback;
    }
    return parsed;
  }
  const secret = (name: string, meaning: string): string | undefined => {
    describe(name, undefined, meaning);
    return raw(name);
  };

  const rate = (name: string, fallback: number, meaning: string): number =>
    integer(
      name,
      fallback,
      `${meaning} (budgets shared by every API process, kept in PostgreSQL)`,
      [1, 999_999_999],
      'a whole number of requests, at least 1',
    );

  const port = integer('PORT', 3000, 'port the API listens on', [0, 65535], 'a port number');

  const jwtSecret = secret('JWT_SECRET', 'required (`npm run dev` generates one): the HS256 key of every token, at least 32 characters') ?? '';
  if (jwtSecret.length < 32) problems.push('JWT_SECRET is required and must be at least 32 characters');

  let tokenEncryptionKey = Buffer.alloc(0);
  const keyText = secret('TOKEN_ENCRYPTION_KEY', 'required (`npm run dev` generates one): 32 random bytes, base64; encrypts every stored secret');
  if (!keyText) problems.push('TOKEN_ENCRYPTION_KEY is required: 32 random bytes, base64-encoded');
  else {
    tokenEncryptionKey = Buffer.from(keyText, 'base64');
    const canonical = /^[A-Za-z0-9+/]+={0,2}$/.test(keyText);
    if (!canonical || tokenEncryptionKey.length !== 32) {
      problems.push('TOKEN_ENCRYPTION_KEY must be exactly 32 bytes, base64-encoded (e.g. `openssl rand -base64 32`)');
    }
  }

  const workerMetricsPort = integer(
    'WORKER_METRICS_PORT',
    undefined,
    "port of the worker's Prometheus endpoint (`GET /metrics`); no endpoint when unset",
    [0, 65535],
    'a port number',
  );
  const metricsToken = secret(
    'METRICS_TOKEN',
    'both `/metrics` endpoints require `Authorization: Bearer <METRICS_TOKEN>` (at least 16 characters); the API refuses to start without it unless `METRICS_PUBLIC=true`',
  );
  if (metricsToken !== undefined && metricsToken.length < 16) problems.push('METRICS_TOKEN must be at least 16 characters');

  const retentionDays = integer(
    'RETENTION_DAYS',
    30,
    'processed webhook deliveries and Meta delivery statuses older than this many days are deleted daily by the `retention-prune` Schedule',
    [1, 36_500],
    'a whole number of days, at least 1',
  );
  const checkAttempts = integer(
    'COMMENT_INDEX_CHECK_ATTEMPTS',
    3,
    "consecutive failed crawls of a target Meta refuses for good (deleted, no access) after which its claims go to the task's fallback",
    [1, 999],
    'a whole number from 1 to 999',
  );

  // Meta unreadable for this long: claims get the fallback; shorter outages only delay them. It must
  // end well inside the verification activity's 24 h schedule-to-close, or the claim would FAIL first.
  const outageFallbackMs = duration(
    'META_OUTAGE_FALLBACK_AFTER',
    '1h',
    "a target Meta has not let us read (down, throttling) for this long sends its claims to the task's fallback; shorter outages only delay them (at most `12h`)",
  );
  if (outageFallbackMs > 12 * 3_600_000) problems.push('META_OUTAGE_FALLBACK_AFTER must be at most 12h');

  const sendRateText = text(
    'WHATSAPP_SEND_RATE',
    '80',
    "messages per second per sending channel (the send queue's per-key rate limit; WhatsApp's 80/s per business number)",
  );
  const whatsappSendRate = Number(sendRateText);
  if (!/^\d{1,4}(\.\d+)?$/.test(sendRateText) || !(whatsappSendRate > 0))
    problems.push('WHATSAPP_SEND_RATE must be a positive number of messages per second');

  const pin = secret('META_REGISTRATION_PIN', '6-digit PIN used to register newly connected numbers (registration is skipped when unset)');
  if (pin !== undefined && !/^\d{6}$/.test(pin)) problems.push('META_REGISTRATION_PIN must be 6 digits');

  const databasePoolSize = integer(
    'DATABASE_POOL_SIZE',
    undefined,
    "connections of this process's database pool; unset: the API's default (20), or the worker's activity slots (docs/operating.md)",
    [1, 1000],
    'a whole number of connections from 1 to 1000',
  );

  const taskQueue = text('TEMPORAL_TASK_QUEUE', 'social-tasks', "the worker's task queue (workflows and activities)");
  const config: AppConfig = {
    port,
    databasePoolSize,
    databaseUrl: text('DATABASE_URL', undefined, 'PostgreSQL URL (`npm run dev` and the tests start an embedded PostgreSQL when unset)'),
    temporal: {
      address: text('TEMPORAL_ADDRESS', undefined, 'host:port of the Temporal frontend (`npm run dev` starts a dev server when unset)'),
      namespace: text('TEMPORAL_NAMESPACE', 'default', 'Temporal namespace'),
      taskQueue,
      sendTaskQueue:
        text(
          'TEMPORAL_SEND_TASK_QUEUE',
          undefined,
          "the send activities' own queue, paced per sending channel (default `{TEMPORAL_TASK_QUEUE}-send`)",
        ) ?? `${taskQueue}-send`,
    },
    whatsappSendRate,
    whatsappPauseProbeIntervalMs: duration(
      'WHATSAPP_PAUSE_PROBE_INTERVAL',
      '1h',
      'a WhatsApp number or account Meta paused (131048, 368, 131042, quality RED) gets one probe send this often; a success resumes it',
    ),
    jwtSecret,
    jwtIssuer: text('JWT_ISSUER', undefined, 'when set, every token must carry this `iss` (`npm run dev` sets it)'),
    jwtAudience: text('JWT_AUDIENCE', undefined, 'when set, every token must carry this `aud` (`npm run dev` sets it)'),
    jwtMaxLifetimeMs: {
      endUser: duration('JWT_END_USER_MAX_LIFETIME', '24h', "an end user's token whose `exp` is further away than this is refused"),
      admin: duration('JWT_ADMIN_MAX_LIFETIME', '30d', "an admin's token whose `exp` is further away than this is refused"),
    },
    outboundAllowPrivateNetworks: flag(
      'OUTBOUND_ALLOW_PRIVATE_NETWORKS',
      false,
      'whether calls to tenant-supplied hosts may reach loopback, private or link-local addresses (`true` in `npm run dev` and tests; startup warns when it is on elsewhere)',
    ),
    tokenEncryptionKey,
    claimVerifyDelayMs: duration('CLAIM_VERIFY_DELAY', '5m', 'wait between a claim and its verification'),
    tokenRefreshIntervalMs: duration('TOKEN_REFRESH_INTERVAL', '24h', "how often each WhatsApp account's token-refresh Schedule fires"),
    tokenRefreshThresholdMs: duration('TOKEN_REFRESH_THRESHOLD', '10d', 'a token that expires within this is refreshed'),
    manualReviewTimeoutMs: duration('MANUAL_REVIEW_TIMEOUT', '7d', 'a MANUAL claim without a decision fails after this'),
    notificationMaxDelayMs: duration('NOTIFICATION_MAX_DELAY', '7d', 'a notice that would go out later than this after verification is skipped'),
    credentialRetryWindowMs: duration(
      'CREDENTIAL_RETRY_WINDOW',
      '24h',
      "how long a claim keeps retrying while the tenant's Meta credentials are rejected",
    ),
    outboundHttpTimeoutMs: duration('OUTBOUND_HTTP_TIMEOUT', '10s', 'timeout of every call to Meta and WhatsApp providers'),
    retentionDays,
    eventsWebhookRetryWindowMs: duration(
      'EVENTS_WEBHOOK_RETRY_WINDOW',
      '24h',
      "how long an event for a tenant's events webhook is retried, with exponential backoff, before it is FAILED",
    ),
    rateLimits: {
      claimsPerUserPerMinute: rate('CLAIM_RATE_PER_USER', 30, 'claims one end user may start per minute; beyond it `429` with `Retry-After`'),
      claimsPerTenantPerSecond: rate('CLAIM_RATE_PER_TENANT', 200, "claims one tenant's end users may start per second together; beyond it `429`"),
      timelineReadsPerCallerPerMinute: rate(
        'TIMELINE_READ_RATE_PER_CALLER',
        60,
        'timeline reads (a Temporal query and a history fetch each) per caller per minute; beyond it `429`',
      ),
    },
    commentIndex: {
      coalesceMs: duration('COMMENT_INDEX_COALESCE', '2s', "claims asking for a target's comment index within this long share one crawl"),
      checkAttempts,
      outageFallbackMs,
    },
    meta: {
      graphBaseUrl: url('META_GRAPH_BASE_URL', 'https://graph.facebook.com', 'base of every Graph API call'),
      graphVersion: text('META_GRAPH_VERSION', 'v26.0', 'Graph API version'),
      appId: text('META_APP_ID', undefined, "the platform's Meta app id"),
      appSecret: secret('META_APP_SECRET', "the platform's Meta app secret"),
      oauthRedirectUri: url('META_OAUTH_REDIRECT_URI', undefined, 'public URL of `GET /meta/callback`'),
      embeddedSignupConfigId: text('META_EMBEDDED_SIGNUP_CONFIG_ID', undefined, 'the Embedded Signup configuration id'),
      webhookVerifyToken: secret('META_WEBHOOK_VERIFY_TOKEN', 'echoed in the webhook handshake (`npm run dev` generates one)'),
      registrationPin: pin,
      dashboardOrigin: origin(
        'META_DASHBOARD_ORIGIN',
        'origin the OAuth callback page posts `code` and `state` to (`window.opener.postMessage` target; defaults to the origin of `META_DASHBOARD_URL`)',
      ),
      dashboardUrl: url(
        'META_DASHBOARD_URL',
        undefined,
        'where the OAuth callback page sends the browser (with `code` and `state`) when there is no opener',
      ),
    },
    whatsappPlatform: {
      apiUrl: url('WHATSAPP_API_URL', undefined, "the platform's default WhatsApp provider (`npm run dev`: a local stand-in that prints messages)"),
      apiKey: secret('WHATSAPP_API_KEY', "the platform provider's API key"),
      instanceId: text('WHATSAPP_INSTANCE_ID', undefined, "the platform provider's instance id"),
    },
    platformWhatsappDailyQuota: integer(
      'PLATFORM_WHATSAPP_DAILY_QUOTA',
      1000,
      "messages per tenant and UTC day the platform's WhatsApp provider sends for a tenant a platform admin allowed to use it",
      [0, 999_999_999],
      'a whole number of messages',
    ),
    maxWatchedTargetsPerTenant: integer(
      'MAX_WATCHED_TARGETS_PER_TENANT',
      200,
      "distinct posts a tenant's META_API tasks may watch (each is crawled in full, then kept fresh); beyond it `422 WATCHED_TARGETS_LIMIT`",
      [0, 9_999_999],
      'a whole number',
    ),
    publicAppUrl: url('PUBLIC_APP_URL', 'http://localhost:3000', 'base of links in messages'),
    logLevel: text('LOG_LEVEL', 'info', 'pino log level (`silent` in tests)'),
    observability: {
      workerMetricsPort,
      metricsToken,
      metricsPublic: flag(
        'METRICS_PUBLIC',
        false,
        '`true`: an open `/metrics` is meant (the API warns at startup); otherwise the API refuses to start without `METRICS_TOKEN` outside `npm run dev` and tests',
      ),
      gaugeRefreshMs: duration('METRICS_GAUGE_REFRESH', '15s', 'how long the database gauges of `/metrics` are reused before a scrape recounts them'),
      otlpEndpoint: url(
        'OTEL_EXPORTER_OTLP_ENDPOINT',
        undefined,
        'OTLP/HTTP trace collector, e.g. `http://otel-collector:4318` (`/v1/traces` is appended); spans are not exported when unset',
      ),
    },
  };
  if (!/^v\d+\.\d+$/.test(config.meta.graphVersion)) {
    problems.push(`META_GRAPH_VERSION must look like v26.0 (got "${config.meta.graphVersion}")`);
  }
  return { config, problems, variables };
}

export function loadConfig(env: Env = process.env): AppConfig {
  const { config, problems } = readConfig(env);
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

/** Every variable the project reads, in the order the manual lists them. */
export function describeConfig(): readonly EnvVarDoc[] {
  return [...readConfig({}).variables, ...VARIABLES_READ_ELSEWHERE];
}

/** Every variable the config module knows; docker-compose and docs are checked against it. */
export const KNOWN_ENV_VARS: readonly string[] = readConfig({}).variables.map((variable) => variable.name);

/** Whatever a process needs beyond the base config (e.g. the API needs a database). */
export function requireSetting<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new ConfigError([`${name} is required for this process`]);
  return value;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
