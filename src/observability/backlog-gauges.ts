// Gauges read from the database at scrape time: what the sweepers still have to start, and the
// notifications held back. Counting here (not inside the sweepers) keeps the numbers true even when
// a sweeper is stuck, which is exactly when they matter.
import type { Database } from '../db/client.js';
import { CLAIM_START_GRACE_MS as CLAIM_GRACE_MS } from '../temporal/claim-starter.js';
import { WEBHOOK_START_GRACE_MS as WEBHOOK_GRACE_MS } from '../temporal/webhook-starter.js';
import { metrics } from './metrics.js';

export async function updateDatabaseGauges(db: Database, now: Date = new Date()): Promise<void> {
  const [claims, webhooks, held, failedWebhooks] = await Promise.all([
    db.claim.count({ where: { workflowStartedAt: null, claimedAt: { lte: new Date(now.getTime() - CLAIM_GRACE_MS) } } }),
    db.webhookEvent.count({ where: { processedAt: null, failedAt: null, receivedAt: { lte: new Date(now.getTime() - WEBHOOK_GRACE_MS) } } }),
    db.claim.count({ where: { status: 'VERIFIED', notificationStatus: 'PENDING', notificationError: { not: null } } }),
    db.webhookEvent.count({ where: { processedAt: null, failedAt: { not: null } } }),
  ]);
  metrics.sweeperBacklog.set({ sweeper: 'claims' }, claims);
  metrics.sweeperBacklog.set({ sweeper: 'webhooks' }, webhooks);
  metrics.notificationsHeld.set(held);
  metrics.webhookDeliveriesFailed.set(failedWebhooks);
}
