-- Request budgets shared by every API process: one row per budget key (e.g. one end user's claims),
-- holding the current fixed window and how many requests it has accepted.
CREATE TABLE "RateLimitCounter" (
    "key" TEXT NOT NULL,
    "windowStartMs" BIGINT NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "RateLimitCounter_pkey" PRIMARY KEY ("key")
);

CREATE INDEX "RateLimitCounter_windowStartMs_idx" ON "RateLimitCounter"("windowStartMs");

-- Requests refused by a budget, per tenant, limit and hour: what the tenant admin sees.
CREATE TABLE "RateLimitRejection" (
    "tenantId" TEXT NOT NULL,
    "limitName" TEXT NOT NULL,
    "hourStart" TIMESTAMP(3) NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "RateLimitRejection_pkey" PRIMARY KEY ("tenantId","limitName","hourStart")
);

ALTER TABLE "RateLimitRejection" ADD CONSTRAINT "RateLimitRejection_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
