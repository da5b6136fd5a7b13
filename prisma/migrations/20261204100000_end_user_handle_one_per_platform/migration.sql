-- One handle per person: an end user holds at most one handle per tenant and platform. Claims used to
-- bind every handle they named; keep each user's first binding per platform (the one a tenant admin
-- would have to move anyway) and drop the others before the key is added.
DELETE FROM "EndUserHandle" AS later
USING "EndUserHandle" AS earlier
WHERE earlier."tenantId" = later."tenantId"
  AND earlier."platform" = later."platform"
  AND earlier."endUserId" = later."endUserId"
  AND (earlier."createdAt", earlier."id") < (later."createdAt", later."id");

CREATE UNIQUE INDEX "EndUserHandle_tenantId_platform_endUserId_key" ON "EndUserHandle"("tenantId", "platform", "endUserId");
