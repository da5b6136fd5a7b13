// One Temporal connection and client per process ("expensive to construct and should be reused").
import { Client, Connection } from '@temporalio/client';
import type { AppConfig } from '../config.js';
import { requireSetting } from '../config.js';
import { clientInterceptors } from '../observability/temporal-interceptors.js';
import { CLAIM_WORKFLOW_TYPE } from '../../workflows/definitions.js';

export async function connectTemporalClient(config: AppConfig): Promise<Client> {
  const address = requireSetting(config.temporal.address, 'TEMPORAL_ADDRESS');
  // A failed connect is an error at boot, not something to swallow and discover per request.
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace: config.temporal.namespace, interceptors: clientInterceptors(CLAIM_WORKFLOW_TYPE) });
}
