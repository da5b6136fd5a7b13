// What the notification steps share: the worker's dependencies, the decrypted-token cache and the
// outcome writes. Built once per activity factory, so a token forgotten after a rejection is
// forgotten for every later send of that worker.
import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Database } from '../db/client.js';
import type { GraphClient } from '../integrations/meta/graph-client.js';
import type { Logger } from '../logger.js';
import { createNotificationOutcomes, type NotificationOutcomes } from './outcomes.js';
import { createTokenCache, type TokenCache } from './token-cache.js';

export interface NotificationDeps {
  readonly config: AppConfig;
  readonly db: Database;
  readonly secrets: SecretBox;
  readonly logger: Logger;
  readonly graph: GraphClient;
  /** To re-plan waiting claims when a paused account may send again; absent in tests that do not need it */
  readonly temporal?: Client | undefined;
}

export interface NotificationContext extends NotificationDeps {
  readonly tokens: TokenCache;
  readonly outcomes: NotificationOutcomes;
}

export function notificationContext(deps: NotificationDeps): NotificationContext {
  return { ...deps, tokens: createTokenCache(deps.secrets), outcomes: createNotificationOutcomes(deps.db, deps.logger) };
}
