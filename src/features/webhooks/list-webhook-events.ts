// GET /api/v1/webhooks/events[?unmatched=true&limit=&cursor=] (tenant_admin): the processed Meta
// deliveries that concerned the caller's tenant, newest first, each with the tenant's own slice
// of the processing result (counts and unmatched items). Never a payload, never another tenant's
// items: one delivery can carry events of several tenants.
//
// Tenant filter: a delivery concerning exactly one tenant has WebhookEvent.tenantId; one that
// concerned several has tenantId null and lists them in result.tenantIds. The tenant-scope
// extension forces `tenantId = <tenant>` and would hide the second kind, so this one query uses
// the base client with the tenant filter written out below, from the verified token only.
import type { TenantContext } from '../../http/use-case-context.js';
import type { TenantSummary, WebhookProcessingResult } from '../../webhooks/processing-result.js';
import { pageArgs, toPage } from '../../http/pagination.js';
import type { ListWebhookEventsQuery } from './webhook-event-input.js';

export interface WebhookEventView {
  readonly id: string;
  readonly receivedAt: string;
  readonly processedAt: string | null;
  readonly object: string | null;
  /** This tenant's part of the processing result */
  readonly summary: TenantSummary | null;
}

export async function listWebhookEvents(ctx: TenantContext, page: ListWebhookEventsQuery) {
  const { tenantId } = ctx;
  const db = ctx.deps.db;
  // A delivery concerning the tenant has its tenantId, or null when it concerned several tenants
  // (result.tenantIds names them); unmatched items are listed through their own indexed column.
  const concernsTenant =
    page.unmatched === 'true'
      ? // The indexed column, not a jsonb path of every tenant's results.
        { unmatchedTenantIds: { has: tenantId } }
      : { OR: [{ tenantId }, { tenantId: null, result: { path: ['tenantIds'], array_contains: [tenantId] } }] };
  const { where: afterCursor, ...order } = pageArgs(page, { key: 'receivedAt' });
  const rows = await db.webhookEvent.findMany({
    where: { AND: [concernsTenant, { processedAt: { not: null } }, afterCursor] },
    select: { id: true, receivedAt: true, processedAt: true, object: true, result: true },
    ...order,
  });
  return toPage(
    rows,
    page.limit,
    (row): WebhookEventView => ({
      id: row.id,
      receivedAt: row.receivedAt.toISOString(),
      processedAt: row.processedAt?.toISOString() ?? null,
      object: row.object,
      summary: (row.result as WebhookProcessingResult | null)?.byTenant?.[tenantId] ?? null,
    }),
    (row) => row.receivedAt,
  );
}
