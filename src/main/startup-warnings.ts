// Settings that are right for `npm run dev` and tests but dangerous in production are allowed, and
// said out loud at startup, so an operator who copied a dev environment finds out from the logs.
import { type AppConfig, ConfigError } from '../config.js';
import type { Logger } from '../logger.js';

export function warnAboutRiskySettings(config: AppConfig, logger: Pick<Logger, 'warn'>, options: { dev?: boolean } = {}): void {
  if (options.dev) return;
  if (config.outboundAllowPrivateNetworks) {
    logger.warn(
      'OUTBOUND_ALLOW_PRIVATE_NETWORKS is on: tenant-supplied WhatsApp provider URLs may reach loopback, private and link-local ' +
        'addresses (cloud metadata, internal services). Use it only in development and tests.',
    );
  }
}

/**
 * Outside `npm run dev` (and tests, which build the app themselves) the API does not start with an
 * open /metrics by accident: METRICS_TOKEN is required, unless METRICS_PUBLIC=true says it is meant.
 */
export function requireMetricsProtection(config: AppConfig, logger: Pick<Logger, 'warn'>, options: { dev?: boolean } = {}): void {
  if (options.dev || config.observability.metricsToken) return;
  if (!config.observability.metricsPublic) {
    throw new ConfigError([
      'METRICS_TOKEN is required: /metrics would be readable by anyone who reaches the API (set METRICS_PUBLIC=true only if that is meant)',
    ]);
  }
  logger.warn('METRICS_PUBLIC is on and METRICS_TOKEN unset: GET /metrics answers anyone who can reach the API.');
}
