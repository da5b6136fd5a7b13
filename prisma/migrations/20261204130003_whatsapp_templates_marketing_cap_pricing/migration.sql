-- Templates checked when a campaign is saved (their category and Meta's status kept, the status
-- followed by message_template_status_update); Meta's per-user marketing cap (131049) retried a
-- bounded number of times; what Meta charges for each notification (pricing in status webhooks).
ALTER TABLE "Campaign" ADD COLUMN "notificationTemplateCategory" TEXT;
ALTER TABLE "Campaign" ADD COLUMN "notificationTemplateStatus" TEXT;

ALTER TABLE "SocialTaskCompletion" ADD COLUMN "notificationMarketingRetries" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "SocialTaskCompletion" ADD COLUMN "notificationPricingCategory" TEXT;
ALTER TABLE "SocialTaskCompletion" ADD COLUMN "notificationBillable" BOOLEAN;

ALTER TABLE "MessageStatusEvent" ADD COLUMN "pricingCategory" TEXT;
ALTER TABLE "MessageStatusEvent" ADD COLUMN "billable" BOOLEAN;
