-- Signed event webhooks to the tenant's own systems. The tenant's endpoint (sealed {url, secret}) and
-- whether a 410 disabled it; one row per event and claim (the outbox), written by a trigger in the
-- same statement as the status change it reports, so no change is ever written without its event.
ALTER TABLE "Tenant" ADD COLUMN "eventsWebhook" TEXT;
ALTER TABLE "Tenant" ADD COLUMN "eventsWebhookDisabledAt" TIMESTAMP(3);
ALTER TABLE "Tenant" ADD COLUMN "eventsWebhookDisabledReason" TEXT;

CREATE TABLE "TenantEvent" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "completionId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "sequence" BIGSERIAL NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastStatusCode" INTEGER,
    "lastError" TEXT,
    "deliveryRound" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" TIMESTAMP(3),
    "failedAt" TIMESTAMP(3),
    "workflowStartedAt" TIMESTAMP(3),
    "startLeaseUntil" TIMESTAMP(3),

    CONSTRAINT "TenantEvent_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "TenantEvent_completionId_type_key" ON "TenantEvent"("completionId", "type");
CREATE INDEX "TenantEvent_completionId_sequence_idx" ON "TenantEvent"("completionId", "sequence");
CREATE INDEX "TenantEvent_tenantId_status_createdAt_idx" ON "TenantEvent"("tenantId", "status", "createdAt");
CREATE INDEX "TenantEvent_status_workflowStartedAt_idx" ON "TenantEvent"("status", "workflowStartedAt");

ALTER TABLE "TenantEvent" ADD CONSTRAINT "TenantEvent_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "TenantEvent" ADD CONSTRAINT "TenantEvent_completionId_fkey" FOREIGN KEY ("completionId") REFERENCES "SocialTaskCompletion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The events of one claim's status change. Only for tenants with an events webhook; a disabled one
-- still records them (as FAILED), so they can be redelivered once the tenant fixes the endpoint.
-- Each (claim, type) happens once (the unique key); a notification that jumps ahead (an unknown send
-- that Meta reports read) gets every step it passed, in order (sent, delivered, read).
CREATE FUNCTION tenant_events_of_claim_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  disabled BOOLEAN;
  event_type TEXT;
  event_types TEXT[] := ARRAY[]::TEXT[];
  event_id TEXT;
  occurred TEXT := to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
  data JSONB;
BEGIN
  SELECT "eventsWebhookDisabledAt" IS NOT NULL INTO disabled FROM "Tenant" WHERE id = NEW."tenantId" AND "eventsWebhook" IS NOT NULL;
  IF NOT FOUND THEN RETURN NULL; END IF;
  IF NEW.status IS DISTINCT FROM OLD.status THEN
    IF NEW.status = 'VERIFIED' THEN event_types := event_types || 'claim.verified'::TEXT; END IF;
    IF NEW.status = 'FAILED' THEN event_types := event_types || 'claim.failed'::TEXT; END IF;
  END IF;
  IF NEW."notificationStatus" IS DISTINCT FROM OLD."notificationStatus" THEN
    IF NEW."notificationStatus" IN ('SENT', 'DELIVERED', 'READ') THEN event_types := event_types || 'notification.sent'::TEXT; END IF;
    IF NEW."notificationStatus" IN ('DELIVERED', 'READ') THEN event_types := event_types || 'notification.delivered'::TEXT; END IF;
    IF NEW."notificationStatus" = 'READ' THEN event_types := event_types || 'notification.read'::TEXT; END IF;
    IF NEW."notificationStatus" = 'FAILED' THEN event_types := event_types || 'notification.failed'::TEXT; END IF;
  END IF;
  IF cardinality(event_types) = 0 THEN RETURN NULL; END IF;
  -- Ids only: never a name, a phone, a handle, evidence or provider text.
  data := jsonb_build_object(
    'claimId', NEW.id, 'campaignId', NEW."campaignId", 'taskId', NEW."taskId", 'endUserId', NEW."userId",
    'status', NEW.status::TEXT, 'reason', NEW.reason, 'verificationMethod', NEW."verificationMethod"::TEXT,
    'spinsAwarded', NEW."spinsAwarded",
    'verifiedAt', to_char(NEW."verifiedAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'notification', jsonb_build_object(
      'status', NEW."notificationStatus"::TEXT, 'reason', NEW."notificationReason", 'channel', NEW."notificationChannel"::TEXT,
      'sentAt', to_char(NEW."notificationSentAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')));
  FOREACH event_type IN ARRAY event_types LOOP
    event_id := gen_random_uuid()::TEXT;
    INSERT INTO "TenantEvent" ("id", "tenantId", "completionId", "type", "body", "status", "lastError", "failedAt")
    VALUES (event_id, NEW."tenantId", NEW.id, event_type,
            jsonb_build_object('id', event_id, 'type', event_type, 'occurredAt', occurred, 'data', data)::TEXT,
            CASE WHEN disabled THEN 'FAILED' ELSE 'PENDING' END,
            CASE WHEN disabled THEN 'the events webhook is disabled' END,
            CASE WHEN disabled THEN CURRENT_TIMESTAMP END)
    ON CONFLICT ("completionId", "type") DO NOTHING;
  END LOOP;
  RETURN NULL;
END;
$$;

CREATE TRIGGER "SocialTaskCompletion_tenant_events" AFTER UPDATE OF status, "notificationStatus" ON "SocialTaskCompletion"
  FOR EACH ROW EXECUTE FUNCTION tenant_events_of_claim_change();
