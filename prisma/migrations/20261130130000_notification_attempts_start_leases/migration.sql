-- Reliability: send attempts own their outcome writes, sweepers lease rows so several API
-- processes share a backlog, and status events can be pruned by age.

-- AlterTable
ALTER TABLE "SocialTaskCompletion" ADD COLUMN "notificationAttemptId" TEXT,
ADD COLUMN "startLeaseUntil" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "WebhookEvent" ADD COLUMN "startLeaseUntil" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "MessageStatusEvent_createdAt_idx" ON "MessageStatusEvent"("createdAt");
