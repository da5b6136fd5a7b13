-- WhatsApp consent (WhatsApp Business Messaging Policy: message a person only after they opted in,
-- keep a record of when and where, honour STOP). End users carry their opt-in and opt-out; tenants
-- decide whether an opt-in is required and which words opt out. Notifications get a reason code.
ALTER TABLE "EndUser" ADD COLUMN "whatsappOptInAt" TIMESTAMP(3);
ALTER TABLE "EndUser" ADD COLUMN "whatsappOptInSource" TEXT;
ALTER TABLE "EndUser" ADD COLUMN "whatsappOptedOutAt" TIMESTAMP(3);

ALTER TABLE "Tenant" ADD COLUMN "requireWhatsappOptIn" BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE "Tenant" ADD COLUMN "whatsappOptOutKeywords" TEXT[] DEFAULT ARRAY['STOP', 'UNSUBSCRIBE', 'PARAR', 'ALTO']::TEXT[];

ALTER TABLE "SocialTaskCompletion" ADD COLUMN "notificationReason" TEXT;

-- End users registered before consent was recorded were messaged under the tenant's own terms:
-- they stay reachable, and the record says so.
UPDATE "EndUser" SET "whatsappOptInAt" = "createdAt", "whatsappOptInSource" = 'before-consent-records';
