// The tenant's claims as CSV, streamed: pages of EXPORT_PAGE rows read by keyset (claimedAt, id)
// from PostgreSQL and written as they come, waiting for the socket to drain when it is behind, so
// the process holds one page whatever the export's size. A client that goes away stops the reads.
// Pages are read as arrays of text through the streaming pool (src/db/streaming-reads.ts): times
// are formatted by PostgreSQL, in UTC, so no Date is built per cell.
import type { Response } from 'express';
import { requireSetting } from '../../../config.js';
import { queryRowArrays } from '../../../db/streaming-reads.js';
import type { TenantContext } from '../../../http/use-case-context.js';
import { findCampaignOr404 } from '../../campaigns/get-campaign.js';
import { csvLine, type CsvValue } from './csv.js';
import type { ExportClaimsQuery } from './export-input.js';

const EXPORT_PAGE = 1_000;
/**
 * Rows are written in chunks of about this many characters: a string over V8's regular object size
 * (~128 KB) lives in the large-object space, freed only by a full collection.
 */
const CHUNK_CHARS = 16_384;

const iso = (column: string) => `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The CSV columns and the SQL of each, in order; claim_id and claimed_at (the first two) are the keyset. */
const COLUMNS = [
  ['claim_id', 'c.id'],
  ['claimed_at', iso('c."claimedAt"')],
  ['campaign_id', 'c."campaignId"'],
  ['task_id', 'c."taskId"'],
  ['task_title', 't.title'],
  ['end_user_id', 'c."userId"'],
  ['end_user_name', 'u.name'],
  ['handle', 'c.handle'],
  ['instagram_username', 'u."instagramUsername"'],
  ['facebook_name', 'u."facebookName"'],
  ['status', 'c.status::text'],
  ['reason', 'c.reason'],
  ['verification_method', 'c."verificationMethod"::text'],
  ['verified_at', iso('c."verifiedAt"')],
  ['spins_awarded', 'c."spinsAwarded"::text'],
  ['notification_status', 'c."notificationStatus"::text'],
  ['notification_reason', 'c."notificationReason"'],
  ['notification_channel', 'c."notificationChannel"::text'],
  ['notification_pricing_category', 'c."notificationPricingCategory"'],
  ['notification_sent_at', iso('c."notificationSentAt"')],
  ['notification_delivered_at', iso('d."occurredAt"')],
  ['notification_read_at', iso('r."occurredAt"')],
] as const;

export const EXPORT_COLUMNS = COLUMNS.map(([name]) => name);

// Delivery times come from Meta's statuses, trusted for Cloud API sends only: a custom provider
// chooses its own message ids and could name another tenant's message.
const FROM = `
  FROM "SocialTaskCompletion" c
  JOIN "SocialMediaTask" t ON t.id = c."taskId"
  JOIN "EndUser" u ON u.id = c."userId"
  LEFT JOIN "MessageStatusEvent" d ON c."notificationChannel" = 'WHATSAPP_CLOUD'
       AND d."providerMessageId" = c."notificationProviderMessageId" AND d.status = 'delivered'
  LEFT JOIN "MessageStatusEvent" r ON c."notificationChannel" = 'WHATSAPP_CLOUD'
       AND r."providerMessageId" = c."notificationProviderMessageId" AND r.status = 'read'`;

/** One page after `after` (the last row's claim id and claimed_at), as arrays of text in COLUMNS order. */
function readPage(ctx: TenantContext, query: ExportClaimsQuery, after: { id: string; claimedAt: string } | undefined) {
  const params: unknown[] = [ctx.tenantId];
  const conditions = ['c."tenantId" = $1'];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  // Our timestamps are UTC without a zone: instants are compared in UTC, whatever the session's zone.
  const utc = (instant: Date) => `(${param(instant.toISOString())}::timestamptz AT TIME ZONE 'UTC')`;
  if (query.campaignId) conditions.push(`c."campaignId" = ${param(query.campaignId)}`);
  if (query.from) conditions.push(`c."claimedAt" >= ${utc(query.from)}`);
  if (query.to) conditions.push(`c."claimedAt" < ${utc(query.to)}`);
  if (after) conditions.push(`(c."claimedAt", c.id) > (${param(after.claimedAt)}::timestamp, ${param(after.id)})`);
  const sql = `SELECT ${COLUMNS.map(([, expression]) => expression).join(', ')} ${FROM}
     WHERE ${conditions.join(' AND ')} ORDER BY c."claimedAt", c.id LIMIT ${EXPORT_PAGE}`;
  return queryRowArrays(requireSetting(ctx.deps.config.databaseUrl, 'DATABASE_URL'), sql, params) as Promise<CsvValue[][]>;
}

/** Writes `text`; resolves once the socket can take more (or at once when it already can). */
function write(res: Response, text: string): Promise<void> {
  if (res.write(text)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

export async function exportClaims(ctx: TenantContext, query: ExportClaimsQuery, res: Response): Promise<void> {
  if (query.campaignId) await findCampaignOr404(ctx.db, query.campaignId);
  // The first page is read before anything is sent: a failure here is still a JSON error.
  let page = await readPage(ctx, query, undefined);
  res.status(200);
  res.setHeader('content-type', 'text/csv; charset=utf-8; header=present');
  res.setHeader('content-disposition', `attachment; filename="completions-${new Date().toISOString().slice(0, 10)}.csv"`);
  res.setHeader('cache-control', 'no-store');
  let closed = false;
  res.on('close', () => {
    closed = true;
  });
  try {
    await write(res, csvLine(EXPORT_COLUMNS));
    while (page.length > 0 && !closed) {
      let chunk = '';
      for (const row of page) {
        chunk += csvLine(row);
        if (chunk.length >= CHUNK_CHARS) {
          await write(res, chunk);
          chunk = '';
        }
      }
      if (chunk) await write(res, chunk);
      const last = page[page.length - 1]!;
      page = page.length < EXPORT_PAGE ? [] : await readPage(ctx, query, { id: String(last[0]), claimedAt: String(last[1]) });
    }
    res.end();
  } catch (error) {
    // Rows already sent: a JSON error cannot follow. Cut the response so the file is visibly incomplete.
    ctx.deps.logger.error({ err: error }, 'completion export failed while streaming');
    res.destroy(error as Error);
  }
}
