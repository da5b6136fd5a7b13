-- Issue 14, second part: Facebook reactions in the comment index (LIKE claims match in it), and the
-- webhook subscription of each tenant's (and the platform's) Meta credentials.

-- AlterTable
ALTER TABLE "CommentIndexTarget" ADD COLUMN "reactionsCompleteThrough" TIMESTAMP(3),
ADD COLUMN "reactionsAnonymous" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "IndexedReaction" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "indexTargetId" TEXT NOT NULL,
    "reactorKey" TEXT NOT NULL,
    "reactorId" TEXT,
    "reactorName" TEXT,
    "reactorHandle" TEXT,
    "reactionType" TEXT NOT NULL,
    "madeAfter" TIMESTAMP(3),
    "source" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "IndexedReaction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MetaWebhookSubscription" (
    "id" TEXT NOT NULL,
    "ownerKey" TEXT NOT NULL,
    "tenantId" TEXT,
    "status" TEXT NOT NULL,
    "error" TEXT,
    "details" JSONB,
    "requestedVersion" INTEGER NOT NULL DEFAULT 1,
    "startedVersion" INTEGER NOT NULL DEFAULT 0,
    "startLeaseUntil" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "requestedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastAttemptAt" TIMESTAMP(3),
    "subscribedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MetaWebhookSubscription_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "IndexedReaction_indexTargetId_reactorHandle_idx" ON "IndexedReaction"("indexTargetId", "reactorHandle");

-- CreateIndex
CREATE INDEX "IndexedReaction_tenantId_idx" ON "IndexedReaction"("tenantId");

-- CreateIndex
CREATE UNIQUE INDEX "IndexedReaction_indexTargetId_reactorKey_key" ON "IndexedReaction"("indexTargetId", "reactorKey");

-- CreateIndex
CREATE UNIQUE INDEX "MetaWebhookSubscription_ownerKey_key" ON "MetaWebhookSubscription"("ownerKey");

-- CreateIndex
CREATE UNIQUE INDEX "MetaWebhookSubscription_tenantId_key" ON "MetaWebhookSubscription"("tenantId");

-- AddForeignKey
ALTER TABLE "IndexedReaction" ADD CONSTRAINT "IndexedReaction_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IndexedReaction" ADD CONSTRAINT "IndexedReaction_indexTargetId_fkey" FOREIGN KEY ("indexTargetId") REFERENCES "CommentIndexTarget"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MetaWebhookSubscription" ADD CONSTRAINT "MetaWebhookSubscription_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
