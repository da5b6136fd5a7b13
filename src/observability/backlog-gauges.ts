// Gauges read from the database at scrape time: what the sweepers still have to start, and the
// notifications held back. Counting here (not inside the sweepers) keeps the numbers true even when
// a sweeper is stuck, which is exactly when they matter.
import type { Database } from '../db/client.js';
import { metrics } from './metrics.js';

/** The sweepers' own grace periods (src/temporal/claim-starter.ts, start-webhook-workflow.ts). */
const CLAIM_GRACE_MS = 15_000;
const WEBHOOK_GRACE_MS = 60_000;

export async function updateDatabaseGauges(db: Database, now: Date = new Date()): Promise<void> {
  const [claims, webhooks, held] = await Promise.all([
    db.socialTaskCompletion.count({ where: { workflowStartedAt: null, claimedAt: { lte: new Date(now.getTime() - CLAIM_GRACE_MS) } } }),
    db.webhookEvent.count({ where: { processedAt: null, receivedAt: { lte: new Date(now.getTime() - WEBHOOK_GRACE_MS) } } }),
    db.socialTaskCompletion.count({ where: { status: 'VERIFIED', notificationStatus: 'PENDING', notificationError: { not: null } } }),
  ]);
  metrics.sweeperBacklog.set({ sweeper: 'claims' }, claims);
  metrics.sweeperBacklog.set({ sweeper: 'webhooks' }, webhooks);
  metrics.notificationsHeld.set(held);
}
