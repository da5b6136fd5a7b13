import type { AppConfig } from '../../config.js';
import { createGraphClient, type GraphClient } from './graph-client.js';

/** The Graph client every process uses: META_GRAPH_BASE_URL/VERSION, the platform app, the outbound timeout. */
export function graphClientFromConfig(config: AppConfig): GraphClient {
  return createGraphClient({
    baseUrl: config.meta.graphBaseUrl,
    version: config.meta.graphVersion,
    appId: config.meta.appId,
    appSecret: config.meta.appSecret,
    timeoutMs: config.outboundHttpTimeoutMs,
  });
}
