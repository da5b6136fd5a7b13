-- A webhook delivery whose processing failed is recorded as failed (failedAt, processingError) and
-- kept until an operator replays or discards it, instead of being retried forever or pruned.
ALTER TABLE "WebhookEvent" ADD COLUMN "failedAt" TIMESTAMP(3);
ALTER TABLE "WebhookEvent" ADD COLUMN "discardedAt" TIMESTAMP(3);

-- Deliveries whose workflow closed without processing them were marked processed with an error:
-- they are failures, not processed deliveries (retention would have deleted them).
UPDATE "WebhookEvent"
   SET "failedAt" = "processedAt", "processedAt" = NULL
 WHERE "processingError" IS NOT NULL AND "processedAt" IS NOT NULL AND "result" IS NULL;
