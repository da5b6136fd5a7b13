-- GET /webhooks/events?unmatched=true filtered every tenant's deliveries by a jsonb path of
-- `result`. The tenants with unmatched items get a column of their own with a GIN index, filled
-- when a delivery is processed (and here from the results already stored).
ALTER TABLE "WebhookEvent" ADD COLUMN "unmatchedTenantIds" TEXT[] DEFAULT ARRAY[]::TEXT[];

UPDATE "WebhookEvent"
SET "unmatchedTenantIds" = ARRAY(SELECT jsonb_array_elements_text("result" -> 'unmatchedTenantIds'))
WHERE jsonb_typeof("result" -> 'unmatchedTenantIds') = 'array';

CREATE INDEX "WebhookEvent_unmatchedTenantIds_idx" ON "WebhookEvent" USING GIN ("unmatchedTenantIds");
