-- The re-plan fan-out pages through the verified claims still waiting to be notified: a partial
-- index holds only those (a few per campaign), however many notified claims a year leaves.
CREATE INDEX "SocialTaskCompletion_waiting_to_notify_idx" ON "SocialTaskCompletion" USING btree ("tenantId", "campaignId", "id")
  WHERE status = 'VERIFIED' AND "notificationStatus" IN ('PENDING', 'WAITING_FOR_WINDOW');
