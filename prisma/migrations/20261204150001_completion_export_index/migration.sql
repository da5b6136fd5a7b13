-- A campaign's claims in claim-time order (the CSV export's keyset pages). None of these columns
-- ever changes after the insert, so the index never costs an update its HOT path.
CREATE INDEX "SocialTaskCompletion_tenantId_campaignId_claimedAt_id_idx" ON "SocialTaskCompletion"("tenantId", "campaignId", "claimedAt", "id");
