-- Each send attempt of a notification (its id, when it stamped the claim, how it ended), so the
-- timeline shows why a claim is UNKNOWN and which attempt reached the provider.
CREATE TABLE "NotificationAttempt" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "completionId" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "endedAt" TIMESTAMP(3),
    "outcome" TEXT,
    "detail" TEXT,

    CONSTRAINT "NotificationAttempt_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "NotificationAttempt_completionId_startedAt_idx" ON "NotificationAttempt"("completionId", "startedAt");

ALTER TABLE "NotificationAttempt" ADD CONSTRAINT "NotificationAttempt_completionId_fkey" FOREIGN KEY ("completionId") REFERENCES "SocialTaskCompletion"("id") ON DELETE CASCADE ON UPDATE CASCADE;
