// Our Prometheus metrics (prom-client), one registry per process. The Temporal SDK's own worker
// metrics come from its Prometheus exporter and are appended by the worker's endpoint
// (worker-metrics-server.ts).
//
// Labels are bounded by design: statuses, methods, channels, services, Meta error codes, route
// templates. Never a claim id, a phone number, a message id or a URL path with ids in it.
// No tenant label either: tenants grow without bound and a tenant label multiplies every series
// (histograms by ~15 buckets each). "Which tenant?" is answered by the logs (tenantId), the traces
// and the per-claim timeline; the metrics say *that* something is wrong, system-wide.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const metricsRegistry = new Registry();

const registers = [metricsRegistry];
const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export const metrics = {
  httpRequests: new Counter({
    name: 'social_http_requests_total',
    help: 'HTTP requests served by the API, by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers,
  }),
  httpDuration: new Histogram({
    name: 'social_http_request_duration_seconds',
    help: 'Latency of HTTP requests served by the API',
    labelNames: ['method', 'route'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  }),
  claimWorkflowStarts: new Counter({
    name: 'social_claim_workflow_starts_total',
    help: 'Claim workflow starts requested (API and claim sweeper): started, or refused because the claim already ran, or error',
    labelNames: ['result'] as const,
    registers,
  }),
  claimsDecided: new Counter({
    name: 'social_claims_decided_total',
    help: 'Claims decided, by final status (VERIFIED/FAILED) and verification method (NONE when no method could decide)',
    labelNames: ['status', 'method'] as const,
    registers,
  }),
  notifications: new Counter({
    name: 'social_notifications_total',
    help: 'Notification outcomes by channel and status: SENT, UNKNOWN, FAILED, SKIPPED when reached; HELD each time a notification is held',
    labelNames: ['channel', 'status'] as const,
    registers,
  }),
  whatsappSendingPauses: new Counter({
    name: 'social_whatsapp_sending_pauses_total',
    help: "WhatsApp numbers or accounts paused by the sending circuit breaker, by code (Meta's 131048, 368, 131031, 131042, or QUALITY_RED); once per pause, not per message",
    labelNames: ['code'] as const,
    registers,
  }),
  notificationsHeld: new Gauge({
    name: 'social_notifications_held',
    help: 'Verified claims whose notification is pending with a recorded reason (held for a reconnection, or backing off after a refused send)',
    registers,
  }),
  webhookDeliveriesFailed: new Gauge({
    name: 'social_webhook_deliveries_failed',
    help: 'Meta webhook deliveries whose processing failed, waiting for an operator to replay or discard them',
    registers,
  }),
  outboundRequests: new Counter({
    name: 'social_outbound_requests_total',
    help: 'Calls to Meta and WhatsApp providers by service, operation, outcome, HTTP status and Meta error code',
    labelNames: ['service', 'operation', 'outcome', 'status_code', 'error_code'] as const,
    registers,
  }),
  outboundDuration: new Histogram({
    name: 'social_outbound_request_duration_seconds',
    help: 'Latency of calls to Meta and WhatsApp providers',
    labelNames: ['service', 'operation', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  }),
  rateLimitWaits: new Counter({
    name: 'social_rate_limit_waits_total',
    help: 'Activity attempts that ended rate-limited and wait before their retry, by activity',
    labelNames: ['activity'] as const,
    registers,
  }),
  rateLimitWaitSeconds: new Histogram({
    name: 'social_rate_limit_wait_seconds',
    help: "How long a rate-limited activity waits before its retry (the provider's own signal)",
    labelNames: ['activity'] as const,
    buckets: [1, 5, 15, 30, 60, 300, 900, 1800, 3600],
    registers,
  }),
  sweeperBacklog: new Gauge({
    name: 'social_sweeper_backlog',
    help: 'Rows a sweeper must still start: claims without a started workflow (older than 15 s), webhook deliveries unprocessed (older than 60 s)',
    labelNames: ['sweeper'] as const,
    registers,
  }),
  webhookDeliveries: new Counter({
    name: 'social_webhook_deliveries_total',
    help: 'Meta webhook deliveries received, by object type and signature result',
    labelNames: ['object', 'signature', 'result'] as const,
    registers,
  }),
  webhookItems: new Counter({
    name: 'social_webhook_items_total',
    help: 'Items of processed webhook deliveries, by change field, item kind and outcome',
    labelNames: ['field', 'kind', 'outcome'] as const,
    registers,
  }),
  tokenRefreshes: new Counter({
    name: 'social_token_refreshes_total',
    help: 'WhatsApp token refresh runs by result (refreshed, unchanged, skipped, needs_reauth, error)',
    labelNames: ['result'] as const,
    registers,
  }),
  activities: new Counter({
    name: 'social_activities_total',
    help: 'Activity attempts by activity type and outcome',
    labelNames: ['activity', 'outcome'] as const,
    registers,
  }),
  activityDuration: new Histogram({
    name: 'social_activity_duration_seconds',
    help: 'Duration of activity attempts',
    labelNames: ['activity'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  }),
};

let defaultsCollected = false;

/** Node process metrics (CPU, memory, event loop lag); once per process. */
export function collectProcessMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

/** Keeps a free-form value (a Meta webhook field, an object type) inside a known set. */
export function boundedLabel(value: string | null | undefined, known: ReadonlySet<string>): string {
  return value && known.has(value) ? value : 'other';
}
