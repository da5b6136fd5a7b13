// GET /api/v1/webhooks/events[?unmatched=true&limit=&cursor=] (tenant_admin): the processed Meta
// deliveries that concerned the caller's tenant, newest first, each with the tenant's own slice
// of the processing result (counts and unmatched items). Never a payload, never another tenant's
// items: one delivery can carry events of several tenants.
//
// Tenant filter: a delivery concerning exactly one tenant has WebhookEvent.tenantId; one that
// concerned several has tenantId null and lists them in result.tenantIds. The tenant-scope
// extension forces `tenantId = <tenant>` and would hide the second kind, so this one query uses
// the base client with the tenant filter written out below, from the verified token only.
import { z } from 'zod';
import type { Database } from '../../db/client.js';
import { AppError } from '../../http/errors.js';
import { parseInput } from '../../http/validation.js';
import type { TenantSummary, WebhookProcessingResult } from './processing-result.js';

const listQuery = z.object({
  unmatched: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(300).optional(),
});

const cursorSchema = z.tuple([z.iso.datetime(), z.string().min(1).max(100)]);

export interface WebhookEventView {
  readonly id: string;
  readonly receivedAt: string;
  readonly processedAt: string | null;
  readonly object: string | null;
  /** This tenant's part of the processing result */
  readonly summary: TenantSummary | null;
}

export async function listWebhookEvents(db: Database, tenantId: string, query: unknown) {
  const page = parseInput(listQuery, query, 'query');
  const concernsTenant = page.unmatched === 'true'
    ? { result: { path: ['unmatchedTenantIds'], array_contains: [tenantId] } }
    : { OR: [{ tenantId }, { tenantId: null, result: { path: ['tenantIds'], array_contains: [tenantId] } }] };
  const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
  const rows = await db.webhookEvent.findMany({
    where: {
      AND: [
        concernsTenant,
        { processedAt: { not: null } },
        after ? { OR: [{ receivedAt: { lt: after.receivedAt } }, { receivedAt: after.receivedAt, id: { lt: after.id } }] } : {},
      ],
    },
    select: { id: true, receivedAt: true, processedAt: true, object: true, result: true },
    orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }],
    take: page.limit + 1,
  });
  const pageRows = rows.slice(0, page.limit);
  const last = pageRows.at(-1);
  return {
    items: pageRows.map((row): WebhookEventView => ({
      id: row.id,
      receivedAt: row.receivedAt.toISOString(),
      processedAt: row.processedAt?.toISOString() ?? null,
      object: row.object,
      summary: (row.result as WebhookProcessingResult | null)?.byTenant?.[tenantId] ?? null,
    })),
    nextCursor: rows.length > page.limit && last ? Buffer.from(JSON.stringify([last.receivedAt.toISOString(), last.id])).toString('base64url') : null,
  };
}

function decodeCursor(cursor: string): { receivedAt: Date; id: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const result = cursorSchema.safeParse(parsed);
  if (!result.success) {
    throw new AppError('VALIDATION_FAILED', 'invalid query', [{ path: 'cursor', message: 'not a cursor returned by this endpoint' }]);
  }
  return { receivedAt: new Date(result.data[0]), id: result.data[1] };
}
