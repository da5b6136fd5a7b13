-- A delivery status remembers the tenant whose business number reported it, so a claim's timeline
-- shows a message's statuses only to that tenant (a provider-chosen message id cannot borrow them).
ALTER TABLE "MessageStatusEvent" ADD COLUMN "tenantId" TEXT;
