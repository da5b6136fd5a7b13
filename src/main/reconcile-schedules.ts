// `npm run schedules:reconcile`: make Temporal's token-refresh schedules match the connected
// WhatsApp accounts. Creates missing schedules (paused for NEEDS_REAUTH accounts), repairs drifted
// ones (interval, task queue, policies), deletes orphans (account gone or DISCONNECTED), leaves
// correct ones untouched, and prints what it did. Idempotent: a second run reports only "unchanged".
// Needs DATABASE_URL, TEMPORAL_ADDRESS (and the same TEMPORAL_TASK_QUEUE / TOKEN_REFRESH_INTERVAL
// as the worker, since those are part of what a correct schedule is).
import { loadConfig, requireSetting } from '../config.js';
import { createDatabase } from '../db/client.js';
import { connectTemporalClient } from '../temporal/connection.js';
import { ensureRetentionSchedule } from '../temporal/retention-schedule.js';
import { reconcileRefreshSchedules, type ReconcileResult } from '../temporal/token-refresh-schedules.js';

export function formatReconcileResult(result: ReconcileResult): string {
  const lines: string[] = [];
  for (const [label, ids] of [
    ['created', result.created],
    ['updated', result.updated],
    ['deleted', result.deleted],
  ] as const) {
    for (const id of ids) lines.push(`${label.padEnd(9)} ${id}`);
  }
  lines.push(
    `token-refresh schedules: ${result.created.length} created, ${result.updated.length} updated, ` +
      `${result.deleted.length} deleted, ${result.unchanged.length} unchanged`,
  );
  return lines.join('\n');
}

export async function runReconcile(): Promise<ReconcileResult> {
  const config = loadConfig();
  const db = createDatabase(requireSetting(config.databaseUrl, 'DATABASE_URL'), { role: 'batch', maxConnections: 2 });
  const temporal = await connectTemporalClient(config);
  try {
    const result = await reconcileRefreshSchedules(temporal, db, config);
    console.log(`retention schedule: ${await ensureRetentionSchedule(temporal, config)}`);
    return result;
  } finally {
    await temporal.connection.close();
    await db.$disconnect();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runReconcile()
    .then((result) => {
      console.log(formatReconcileResult(result));
      process.exit(0);
    })
    .catch((error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
