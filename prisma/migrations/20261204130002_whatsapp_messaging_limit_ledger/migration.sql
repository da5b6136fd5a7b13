-- WhatsApp's messaging limit per business portfolio (unique users reached outside a customer-service
-- window in a moving 24 h, shared by every number of the portfolio): each account learns its
-- portfolio, the portfolio its limit, and our own ledger counts the recipients we reached.
ALTER TABLE "WhatsappAccount" ADD COLUMN "businessId" TEXT;
CREATE INDEX "WhatsappAccount_businessId_idx" ON "WhatsappAccount"("businessId");

CREATE TABLE "WhatsappPortfolio" (
    "id" TEXT NOT NULL,
    "messagingLimit" INTEGER,
    "messagingLimitTier" TEXT,
    "refreshedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WhatsappPortfolio_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "MessagingLimitRecipient" (
    "businessId" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,
    "countedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MessagingLimitRecipient_pkey" PRIMARY KEY ("businessId","recipient")
);
CREATE INDEX "MessagingLimitRecipient_businessId_countedAt_idx" ON "MessagingLimitRecipient"("businessId", "countedAt");
