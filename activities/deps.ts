import type { Client } from '@temporalio/client';
import type { AppConfig } from '../src/config.js';
import type { SecretBox } from '../src/crypto/secret-box.js';
import type { Database } from '../src/db/client.js';
import type { GraphClient } from '../src/integrations/meta/graph-client.js';
import type { Logger } from '../src/logger.js';

/** What activities need from the worker process; tests build it against real Postgres and fake servers. */
export interface ActivityDeps {
  readonly config: AppConfig;
  readonly db: Database;
  /** Connections with the batch limits (long passes: retention, the re-plan fan-out); tests may leave it to `db` */
  readonly batchDb?: Database;
  readonly secrets: SecretBox;
  readonly logger: Logger;
  /** For activities that manage Temporal objects (e.g. pausing a refresh schedule) */
  readonly temporal: Client;
  /** The worker's one Graph API client (graphClientFromConfig): verification, sending, token refresh */
  readonly graph: GraphClient;
}
