// Migration folders that were renamed after databases had applied them (they were named after
// project phases; they are now named by what they change). Their SQL did not change, so neither did
// the checksum. Before it reads what is applied, the applier moves each former name's record to the
// new name, so a database that applied the migration under its former name does not apply it again.
// Add a pair here whenever a migration folder is renamed; never change a migration's SQL.
import type pg from 'pg';

/** [former folder name, current folder name] */
export const FORMER_MIGRATION_NAMES: readonly (readonly [string, string])[] = [
  ['20261130120000_trust_evidence_handles_proof_codes', '20261130120000_evidence_uses_end_user_handles_proof_codes'],
  ['20261130130000_reliability_attempts_leases_retention', '20261130130000_notification_attempts_start_leases'],
  ['20261201120000_index_comment_index', '20261201120000_comment_index_targets_and_comments'],
  ['20261201150000_index2_reactions_webhook_subscriptions', '20261201150000_indexed_reactions_webhook_subscriptions'],
  ['20261202120000_perf2_notification_coalesced', '20261202120000_notification_coalesced'],
];

/** Records applied under a former name now name the current folder (unless it is recorded already). */
export async function adoptFormerMigrationNames(client: pg.Client, renames = FORMER_MIGRATION_NAMES): Promise<void> {
  for (const [former, current] of renames) {
    await client.query(
      `UPDATE "_prisma_migrations" SET migration_name = $2
        WHERE migration_name = $1 AND NOT EXISTS (SELECT 1 FROM "_prisma_migrations" WHERE migration_name = $2)`,
      [former, current],
    );
  }
}
