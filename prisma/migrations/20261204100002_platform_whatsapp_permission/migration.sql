-- The platform's WhatsApp provider carries a tenant's notifications only when a platform admin
-- allowed it (PATCH /api/v1/tenants/:id), within a daily quota reserved per tenant and UTC day.
ALTER TABLE "Tenant" ADD COLUMN "platformWhatsappAllowed" BOOLEAN NOT NULL DEFAULT false;

CREATE TABLE "PlatformWhatsappDay" (
    "tenantId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "sent" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "PlatformWhatsappDay_pkey" PRIMARY KEY ("tenantId","day")
);

ALTER TABLE "PlatformWhatsappDay" ADD CONSTRAINT "PlatformWhatsappDay_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
