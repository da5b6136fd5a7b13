-- A delivery status that arrives before its notification has a message id keeps the
-- biz_opaque_callback_data Meta echoed (our completion id) and the tenant owning the sending
-- number, so the notification adopts it the moment its send attempt is found interrupted.
ALTER TABLE "MessageStatusEvent" ADD COLUMN "callbackData" TEXT;
ALTER TABLE "MessageStatusEvent" ADD COLUMN "accountTenantId" TEXT;
CREATE INDEX "MessageStatusEvent_callbackData_idx" ON "MessageStatusEvent"("callbackData");

-- When a status webhook, naming this completion, told us Meta had the message of an interrupted send.
ALTER TABLE "SocialTaskCompletion" ADD COLUMN "notificationAdoptedAt" TIMESTAMP(3);
