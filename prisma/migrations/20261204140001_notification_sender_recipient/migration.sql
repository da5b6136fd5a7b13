-- WhatsApp spaces messages per (sending number, recipient number), whoever's end user the
-- recipient is: the same phone at two tenants that share the platform's number is one pair.
ALTER TABLE "SocialTaskCompletion" ADD COLUMN "notificationSender" TEXT;
ALTER TABLE "SocialTaskCompletion" ADD COLUMN "notificationRecipient" TEXT;
CREATE INDEX "SocialTaskCompletion_notificationRecipient_notificationAtte_idx" ON "SocialTaskCompletion"("notificationRecipient", "notificationAttemptedAt");
