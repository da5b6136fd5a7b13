-- Indexes for queries that scanned whole tables once a year of history is stored.

-- The held-notifications gauge: verified claims whose notification is PENDING with a reason.
CREATE INDEX "SocialTaskCompletion_notificationStatus_status_idx" ON "SocialTaskCompletion"("notificationStatus", "status");

-- Retention of delivery statuses: applied before the cutoff, and never applied (NULL) created before it.
DROP INDEX "MessageStatusEvent_appliedAt_idx";
CREATE INDEX "MessageStatusEvent_appliedAt_createdAt_idx" ON "MessageStatusEvent"("appliedAt", "createdAt");
