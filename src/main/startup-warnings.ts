// Settings that are right for `npm run dev` and tests but dangerous in production are allowed, and
// said out loud at startup, so an operator who copied a dev environment finds out from the logs.
import type { AppConfig } from '../config.js';
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
