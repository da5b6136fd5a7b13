-- CreateEnum
CREATE TYPE "SocialPlatform" AS ENUM ('INSTAGRAM', 'FACEBOOK', 'TIKTOK', 'TWITTER');

-- CreateEnum
CREATE TYPE "SocialActionType" AS ENUM ('FOLLOW', 'LIKE', 'COMMENT', 'SHARE', 'MENTION');

-- CreateEnum
CREATE TYPE "VerificationStrategy" AS ENUM ('META_API', 'HONOR_SYSTEM', 'STATISTICAL', 'MANUAL');

-- CreateEnum
CREATE TYPE "FallbackStrategy" AS ENUM ('HONOR_SYSTEM', 'STATISTICAL', 'MANUAL');

-- CreateEnum
CREATE TYPE "CompletionStatus" AS ENUM ('PENDING', 'VERIFIED', 'FAILED');

-- CreateEnum
CREATE TYPE "VerificationMethod" AS ENUM ('TENANT_META_API', 'PLATFORM_META_API', 'HONOR_SYSTEM', 'STATISTICAL', 'MANUAL');

-- CreateEnum
CREATE TYPE "NotificationStatus" AS ENUM ('PENDING', 'WAITING_FOR_WINDOW', 'SENDING', 'SENT', 'DELIVERED', 'READ', 'FAILED', 'SKIPPED', 'UNKNOWN');

-- CreateEnum
CREATE TYPE "NotificationChannel" AS ENUM ('WHATSAPP_CLOUD', 'TENANT_PROVIDER', 'PLATFORM_PROVIDER');

-- CreateEnum
CREATE TYPE "WhatsappAccountStatus" AS ENUM ('ACTIVE', 'NEEDS_REAUTH', 'DISCONNECTED');

-- CreateTable
CREATE TABLE "Tenant" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "waConfig" TEXT,
    "metaConfig" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Tenant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PlatformSettings" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "metaConfig" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PlatformSettings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EndUser" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "phone" TEXT NOT NULL,
    "instagramUsername" TEXT,
    "facebookName" TEXT,
    "lastInboundAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "EndUser_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Campaign" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "timezone" TEXT,
    "notificationEnabled" BOOLEAN NOT NULL DEFAULT true,
    "notificationStartHour" INTEGER NOT NULL DEFAULT 9,
    "notificationEndHour" INTEGER NOT NULL DEFAULT 21,
    "whatsappAccountId" TEXT,
    "notificationTemplateName" TEXT,
    "notificationTemplateLanguage" TEXT,
    "endsAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Campaign_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SocialMediaTask" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "platform" "SocialPlatform" NOT NULL,
    "actionType" "SocialActionType" NOT NULL,
    "targetId" TEXT,
    "targetUrl" TEXT,
    "spinsReward" INTEGER NOT NULL,
    "verificationStrategy" "VerificationStrategy" NOT NULL DEFAULT 'META_API',
    "fallbackStrategy" "FallbackStrategy" NOT NULL DEFAULT 'STATISTICAL',
    "statisticalApprovalRate" DOUBLE PRECISION NOT NULL DEFAULT 0.85,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SocialMediaTask_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SocialTaskCompletion" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "taskId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "status" "CompletionStatus" NOT NULL DEFAULT 'PENDING',
    "detail" TEXT,
    "handle" TEXT,
    "claimedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "verifiedAt" TIMESTAMP(3),
    "verificationMethod" "VerificationMethod",
    "evidence" JSONB,
    "spinsAwarded" INTEGER NOT NULL DEFAULT 0,
    "workflowId" TEXT NOT NULL,
    "workflowStartedAt" TIMESTAMP(3),
    "notificationStatus" "NotificationStatus" NOT NULL DEFAULT 'PENDING',
    "notificationNotBefore" TIMESTAMP(3),
    "notificationSentAt" TIMESTAMP(3),
    "notificationChannel" "NotificationChannel",
    "notificationProviderMessageId" TEXT,
    "notificationError" TEXT,
    "notificationAttemptedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SocialTaskCompletion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SpinCredit" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "completionId" TEXT NOT NULL,
    "amount" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SpinCredit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WhatsappAccount" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "wabaId" TEXT NOT NULL,
    "phoneNumberId" TEXT NOT NULL,
    "displayPhoneNumber" TEXT,
    "verifiedName" TEXT,
    "accessToken" TEXT,
    "tokenExpiresAt" TIMESTAMP(3),
    "dataAccessExpiresAt" TIMESTAMP(3),
    "scopes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "status" "WhatsappAccountStatus" NOT NULL DEFAULT 'ACTIVE',
    "statusReason" TEXT,
    "qualityRating" TEXT,
    "lastRefreshedAt" TIMESTAMP(3),
    "lastRefreshError" TEXT,
    "connectedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WhatsappAccount_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookEvent" (
    "id" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "object" TEXT,
    "payload" JSONB NOT NULL,
    "tenantId" TEXT,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMP(3),
    "result" JSONB,
    "processingError" TEXT,

    CONSTRAINT "WebhookEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MessageStatusEvent" (
    "id" TEXT NOT NULL,
    "providerMessageId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "occurredAt" TIMESTAMP(3) NOT NULL,
    "errorCode" INTEGER,
    "errorTitle" TEXT,
    "webhookEventId" TEXT,
    "appliedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MessageStatusEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OAuthState" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OAuthState_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Tenant_slug_key" ON "Tenant"("slug");

-- CreateIndex
CREATE INDEX "EndUser_tenantId_createdAt_idx" ON "EndUser"("tenantId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "EndUser_tenantId_phone_key" ON "EndUser"("tenantId", "phone");

-- CreateIndex
CREATE INDEX "Campaign_tenantId_createdAt_idx" ON "Campaign"("tenantId", "createdAt");

-- CreateIndex
CREATE INDEX "Campaign_whatsappAccountId_idx" ON "Campaign"("whatsappAccountId");

-- CreateIndex
CREATE INDEX "SocialMediaTask_tenantId_campaignId_idx" ON "SocialMediaTask"("tenantId", "campaignId");

-- CreateIndex
CREATE INDEX "SocialMediaTask_campaignId_createdAt_idx" ON "SocialMediaTask"("campaignId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "SocialTaskCompletion_workflowId_key" ON "SocialTaskCompletion"("workflowId");

-- CreateIndex
CREATE INDEX "SocialTaskCompletion_tenantId_claimedAt_idx" ON "SocialTaskCompletion"("tenantId", "claimedAt");

-- CreateIndex
CREATE INDEX "SocialTaskCompletion_tenantId_campaignId_status_idx" ON "SocialTaskCompletion"("tenantId", "campaignId", "status");

-- CreateIndex
CREATE INDEX "SocialTaskCompletion_tenantId_status_idx" ON "SocialTaskCompletion"("tenantId", "status");

-- CreateIndex
CREATE INDEX "SocialTaskCompletion_userId_idx" ON "SocialTaskCompletion"("userId");

-- CreateIndex
CREATE INDEX "SocialTaskCompletion_notificationProviderMessageId_idx" ON "SocialTaskCompletion"("notificationProviderMessageId");

-- CreateIndex
CREATE INDEX "SocialTaskCompletion_workflowStartedAt_claimedAt_idx" ON "SocialTaskCompletion"("workflowStartedAt", "claimedAt");

-- CreateIndex
CREATE UNIQUE INDEX "SocialTaskCompletion_taskId_userId_key" ON "SocialTaskCompletion"("taskId", "userId");

-- CreateIndex
CREATE UNIQUE INDEX "SpinCredit_completionId_key" ON "SpinCredit"("completionId");

-- CreateIndex
CREATE INDEX "SpinCredit_tenantId_userId_idx" ON "SpinCredit"("tenantId", "userId");

-- CreateIndex
CREATE INDEX "SpinCredit_userId_idx" ON "SpinCredit"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "WhatsappAccount_phoneNumberId_key" ON "WhatsappAccount"("phoneNumberId");

-- CreateIndex
CREATE INDEX "WhatsappAccount_tenantId_status_connectedAt_idx" ON "WhatsappAccount"("tenantId", "status", "connectedAt");

-- CreateIndex
CREATE INDEX "WhatsappAccount_wabaId_idx" ON "WhatsappAccount"("wabaId");

-- CreateIndex
CREATE UNIQUE INDEX "WebhookEvent_dedupeKey_key" ON "WebhookEvent"("dedupeKey");

-- CreateIndex
CREATE INDEX "WebhookEvent_tenantId_receivedAt_idx" ON "WebhookEvent"("tenantId", "receivedAt");

-- CreateIndex
CREATE INDEX "WebhookEvent_processedAt_idx" ON "WebhookEvent"("processedAt");

-- CreateIndex
CREATE INDEX "MessageStatusEvent_appliedAt_idx" ON "MessageStatusEvent"("appliedAt");

-- CreateIndex
CREATE UNIQUE INDEX "MessageStatusEvent_providerMessageId_status_key" ON "MessageStatusEvent"("providerMessageId", "status");

-- CreateIndex
CREATE INDEX "OAuthState_expiresAt_idx" ON "OAuthState"("expiresAt");

-- AddForeignKey
ALTER TABLE "EndUser" ADD CONSTRAINT "EndUser_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Campaign" ADD CONSTRAINT "Campaign_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Campaign" ADD CONSTRAINT "Campaign_whatsappAccountId_fkey" FOREIGN KEY ("whatsappAccountId") REFERENCES "WhatsappAccount"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SocialMediaTask" ADD CONSTRAINT "SocialMediaTask_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SocialMediaTask" ADD CONSTRAINT "SocialMediaTask_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SocialTaskCompletion" ADD CONSTRAINT "SocialTaskCompletion_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SocialTaskCompletion" ADD CONSTRAINT "SocialTaskCompletion_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SocialTaskCompletion" ADD CONSTRAINT "SocialTaskCompletion_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "SocialMediaTask"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SocialTaskCompletion" ADD CONSTRAINT "SocialTaskCompletion_userId_fkey" FOREIGN KEY ("userId") REFERENCES "EndUser"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SpinCredit" ADD CONSTRAINT "SpinCredit_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SpinCredit" ADD CONSTRAINT "SpinCredit_userId_fkey" FOREIGN KEY ("userId") REFERENCES "EndUser"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SpinCredit" ADD CONSTRAINT "SpinCredit_completionId_fkey" FOREIGN KEY ("completionId") REFERENCES "SocialTaskCompletion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WhatsappAccount" ADD CONSTRAINT "WhatsappAccount_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookEvent" ADD CONSTRAINT "WebhookEvent_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OAuthState" ADD CONSTRAINT "OAuthState_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
