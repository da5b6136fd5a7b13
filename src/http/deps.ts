import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Database } from '../db/client.js';
import type { GraphClient } from '../integrations/meta/graph-client.js';
import type { Logger } from '../logger.js';

/** Everything the API process shares across requests: created once at boot, never per request. */
export interface AppDeps {
  readonly config: AppConfig;
  readonly db: Database;
  readonly temporal: Client;
  readonly secrets: SecretBox;
  readonly logger: Logger;
  /** The process's one Graph API client (graphClientFromConfig): Meta connect, accounts, task checks */
  readonly graph: GraphClient;
}
