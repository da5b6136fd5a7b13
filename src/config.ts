// One config object: read from the environment once at boot, validated, frozen, never logged.
import { parseDuration } from './domain/duration.js';

export interface AppConfig {
  readonly port: number;
  readonly databaseUrl: string | undefined;
  readonly temporal: {
    readonly address: string | undefined;
    readonly namespace: string;
    readonly taskQueue: string;
    /** Send activities' own task queue, paced per sending channel by fairness keys (TEMPORAL_SEND_TASK_QUEUE) */
    readonly sendTaskQueue: string;
  };
  /** Messages per second per sending channel (WhatsApp's 80/s per business number by default; WHATSAPP_SEND_RATE) */
  readonly whatsappSendRate: number;
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
  /** Comment index (src/comment-index): claims on a target share its crawls */
  readonly commentIndex: {
    /** Freshness requests arriving within this long of the first share one crawl */
    readonly coalesceMs: number;
    /** How long one verification attempt waits for its target's crawl before retrying later */
    readonly waitMs: number;
    /** Consecutive failed crawls of a target after which its claims go to the fallback strategy */
    readonly checkAttempts: number;
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

/** Every variable the config module knows; docker-compose and docs are checked against it. */
export const KNOWN_ENV_VARS = [
  'PORT',
  'DATABASE_URL',
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_TASK_QUEUE',
  'TEMPORAL_SEND_TASK_QUEUE',
  'WHATSAPP_SEND_RATE',
  'JWT_SECRET',
  'TOKEN_ENCRYPTION_KEY',
  'CLAIM_VERIFY_DELAY',
  'TOKEN_REFRESH_INTERVAL',
  'TOKEN_REFRESH_THRESHOLD',
  'MANUAL_REVIEW_TIMEOUT',
  'NOTIFICATION_MAX_DELAY',
  'CREDENTIAL_RETRY_WINDOW',
  'OUTBOUND_HTTP_TIMEOUT',
  'COMMENT_INDEX_COALESCE',
  'COMMENT_INDEX_WAIT',
  'COMMENT_INDEX_CHECK_ATTEMPTS',
  'META_GRAPH_BASE_URL',
  'META_GRAPH_VERSION',
  'META_APP_ID',
  'META_APP_SECRET',
  'META_OAUTH_REDIRECT_URI',
  'META_EMBEDDED_SIGNUP_CONFIG_ID',
  'META_WEBHOOK_VERIFY_TOKEN',
  'META_REGISTRATION_PIN',
  'WHATSAPP_API_URL',
  'WHATSAPP_API_KEY',
  'WHATSAPP_INSTANCE_ID',
  'PLATFORM_WHATSAPP_DAILY_QUOTA',
  'MAX_WATCHED_TARGETS_PER_TENANT',
  'PUBLIC_APP_URL',
  'LOG_LEVEL',
  'OUTBOUND_ALLOW_PRIVATE_NETWORKS',
  'JWT_ISSUER',
  'JWT_AUDIENCE',
  'JWT_END_USER_MAX_LIFETIME',
  'JWT_ADMIN_MAX_LIFETIME',
  'META_DASHBOARD_ORIGIN',
  'META_DASHBOARD_URL',
  'WORKER_METRICS_PORT',
  'METRICS_TOKEN',
  'METRICS_PUBLIC',
  'METRICS_GAUGE_REFRESH',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'RETENTION_DAYS',
] as const;

export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const text = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const duration = (name: string, fallback: string): number => {
    const raw = text(name) ?? fallback;
    const ms = parseDuration(raw);
    if (ms === undefined || ms <= 0) {
      problems.push(`${name} must be a duration such as 500ms, 2s, 5m, 1h or 10d (got "${raw}")`);
      return 0;
    }
    return ms;
  };
  const url = (name: string, fallback?: string): string | undefined => {
    const raw = text(name) ?? fallback;
    if (raw === undefined) return undefined;
    try {
      const parsed = new URL(raw);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
      return raw.replace(/\/+$/, '');
    } catch {
      problems.push(`${name} must be an http(s) URL (got "${raw}")`);
      return undefined;
    }
  };

  const portText = text('PORT') ?? '3000';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`PORT must be a port number (got "${portText}")`);

  const jwtSecret = text('JWT_SECRET') ?? '';
  if (jwtSecret.length < 32) problems.push('JWT_SECRET is required and must be at least 32 characters');

  let tokenEncryptionKey = Buffer.alloc(0);
  const keyText = text('TOKEN_ENCRYPTION_KEY');
  if (!keyText) problems.push('TOKEN_ENCRYPTION_KEY is required: 32 random bytes, base64-encoded');
  else {
    tokenEncryptionKey = Buffer.from(keyText, 'base64');
    const canonical = /^[A-Za-z0-9+/]+={0,2}$/.test(keyText);
    if (!canonical || tokenEncryptionKey.length !== 32) {
      problems.push('TOKEN_ENCRYPTION_KEY must be exactly 32 bytes, base64-encoded (e.g. `openssl rand -base64 32`)');
    }
  }

  const metricsPortText = text('WORKER_METRICS_PORT');
  const workerMetricsPort = metricsPortText === undefined ? undefined : Number(metricsPortText);
  if (workerMetricsPort !== undefined && (!Number.isInteger(workerMetricsPort) || workerMetricsPort < 0 || workerMetricsPort > 65535)) {
    problems.push(`WORKER_METRICS_PORT must be a port number (got "${metricsPortText}")`);
  }
  const metricsToken = text('METRICS_TOKEN');
  if (metricsToken !== undefined && metricsToken.length < 16) problems.push('METRICS_TOKEN must be at least 16 characters');

  const retentionText = text('RETENTION_DAYS') ?? '30';
  const retentionDays = Number(retentionText);
  if (!Number.isInteger(retentionDays) || retentionDays < 1)
    problems.push(`RETENTION_DAYS must be a whole number of days, at least 1 (got "${retentionText}")`);

  const flag = (name: string, fallback: boolean): boolean => {
    const raw = text(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  };
  // postMessage needs an exact origin (scheme://host[:port]), never "*" and never a path.
  const origin = (name: string): string | undefined => {
    const raw = url(name);
    if (raw === undefined) return undefined;
    const parsed = new URL(raw);
    if (parsed.origin !== raw) problems.push(`${name} must be an origin such as https://dashboard.example.com (got "${raw}")`);
    return parsed.origin;
  };
  const checkAttemptsText = text('COMMENT_INDEX_CHECK_ATTEMPTS') ?? '3';
  const checkAttempts = Number(checkAttemptsText);
  if (!/^\d{1,3}$/.test(checkAttemptsText) || checkAttempts < 1) problems.push('COMMENT_INDEX_CHECK_ATTEMPTS must be a whole number from 1 to 999');

  const sendRateText = text('WHATSAPP_SEND_RATE') ?? '80';
  const whatsappSendRate = Number(sendRateText);
  if (!/^\d{1,4}(\.\d+)?$/.test(sendRateText) || !(whatsappSendRate > 0))
    problems.push('WHATSAPP_SEND_RATE must be a positive number of messages per second');

  const quotaText = text('PLATFORM_WHATSAPP_DAILY_QUOTA') ?? '1000';
  const platformDailyQuota = Number(quotaText);
  if (!/^\d{1,9}$/.test(quotaText)) problems.push(`PLATFORM_WHATSAPP_DAILY_QUOTA must be a whole number of messages (got "${quotaText}")`);

  const watchedText = text('MAX_WATCHED_TARGETS_PER_TENANT') ?? '200';
  const maxWatchedTargetsPerTenant = Number(watchedText);
  if (!/^\d{1,7}$/.test(watchedText)) problems.push(`MAX_WATCHED_TARGETS_PER_TENANT must be a whole number (got "${watchedText}")`);

  const pin = text('META_REGISTRATION_PIN');
  if (pin !== undefined && !/^\d{6}$/.test(pin)) problems.push('META_REGISTRATION_PIN must be 6 digits');

  const config: AppConfig = {
    port,
    databaseUrl: text('DATABASE_URL'),
    temporal: {
      address: text('TEMPORAL_ADDRESS'),
      namespace: text('TEMPORAL_NAMESPACE') ?? 'default',
      taskQueue: text('TEMPORAL_TASK_QUEUE') ?? 'social-tasks',
      sendTaskQueue: text('TEMPORAL_SEND_TASK_QUEUE') ?? `${text('TEMPORAL_TASK_QUEUE') ?? 'social-tasks'}-send`,
    },
    whatsappSendRate,
    jwtSecret,
    jwtIssuer: text('JWT_ISSUER'),
    jwtAudience: text('JWT_AUDIENCE'),
    jwtMaxLifetimeMs: { endUser: duration('JWT_END_USER_MAX_LIFETIME', '24h'), admin: duration('JWT_ADMIN_MAX_LIFETIME', '30d') },
    outboundAllowPrivateNetworks: flag('OUTBOUND_ALLOW_PRIVATE_NETWORKS', false),
    tokenEncryptionKey,
    claimVerifyDelayMs: duration('CLAIM_VERIFY_DELAY', '5m'),
    tokenRefreshIntervalMs: duration('TOKEN_REFRESH_INTERVAL', '24h'),
    tokenRefreshThresholdMs: duration('TOKEN_REFRESH_THRESHOLD', '10d'),
    manualReviewTimeoutMs: duration('MANUAL_REVIEW_TIMEOUT', '7d'),
    notificationMaxDelayMs: duration('NOTIFICATION_MAX_DELAY', '7d'),
    credentialRetryWindowMs: duration('CREDENTIAL_RETRY_WINDOW', '24h'),
    outboundHttpTimeoutMs: duration('OUTBOUND_HTTP_TIMEOUT', '10s'),
    retentionDays,
    commentIndex: {
      coalesceMs: duration('COMMENT_INDEX_COALESCE', '2s'),
      waitMs: duration('COMMENT_INDEX_WAIT', '30s'),
      checkAttempts: checkAttempts,
    },
    meta: {
      graphBaseUrl: url('META_GRAPH_BASE_URL', 'https://graph.facebook.com') ?? 'https://graph.facebook.com',
      graphVersion: text('META_GRAPH_VERSION') ?? 'v26.0',
      appId: text('META_APP_ID'),
      appSecret: text('META_APP_SECRET'),
      oauthRedirectUri: url('META_OAUTH_REDIRECT_URI'),
      embeddedSignupConfigId: text('META_EMBEDDED_SIGNUP_CONFIG_ID'),
      webhookVerifyToken: text('META_WEBHOOK_VERIFY_TOKEN'),
      registrationPin: pin,
      dashboardOrigin: origin('META_DASHBOARD_ORIGIN'),
      dashboardUrl: url('META_DASHBOARD_URL'),
    },
    whatsappPlatform: {
      apiUrl: url('WHATSAPP_API_URL'),
      apiKey: text('WHATSAPP_API_KEY'),
      instanceId: text('WHATSAPP_INSTANCE_ID'),
    },
    platformWhatsappDailyQuota: platformDailyQuota,
    maxWatchedTargetsPerTenant,
    publicAppUrl: url('PUBLIC_APP_URL', 'http://localhost:3000') ?? 'http://localhost:3000',
    logLevel: text('LOG_LEVEL') ?? 'info',
    observability: {
      workerMetricsPort,
      metricsToken,
      metricsPublic: flag('METRICS_PUBLIC', false),
      gaugeRefreshMs: duration('METRICS_GAUGE_REFRESH', '15s'),
      otlpEndpoint: url('OTEL_EXPORTER_OTLP_ENDPOINT'),
    },
  };
  if (!/^v\d+\.\d+$/.test(config.meta.graphVersion)) {
    problems.push(`META_GRAPH_VERSION must look like v26.0 (got "${config.meta.graphVersion}")`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

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
