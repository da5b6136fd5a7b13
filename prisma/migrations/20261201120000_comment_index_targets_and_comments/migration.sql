-- Issue 14: one shared, incrementally crawled comment index per watched target (Instagram media,
-- Facebook post) and tenant, filled by crawls and Meta's webhooks; claims match in it.

-- CreateTable
CREATE TABLE "CommentIndexTarget" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "platform" "SocialPlatform" NOT NULL,
    "targetId" TEXT NOT NULL,
    "completeThrough" TIMESTAMP(3),
    "crawlWatermark" TIMESTAMP(3),
    "readableAt" TIMESTAMP(3),
    "lastCrawlAt" TIMESTAMP(3),
    "pagesRead" INTEGER NOT NULL DEFAULT 0,
    "crawls" INTEGER NOT NULL DEFAULT 0,
    "failedCrawls" INTEGER NOT NULL DEFAULT 0,
    "lastErrorAt" TIMESTAMP(3),
    "lastErrorKind" TEXT,
    "lastError" TEXT,
    "retryAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CommentIndexTarget_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IndexedComment" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "indexTargetId" TEXT NOT NULL,
    "commentId" TEXT NOT NULL,
    "parentId" TEXT,
    "authorId" TEXT,
    "authorName" TEXT,
    "authorHandle" TEXT,
    "text" TEXT,
    "createdTime" TIMESTAMP(3),
    "source" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "IndexedComment_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CommentIndexTarget_platform_targetId_idx" ON "CommentIndexTarget"("platform", "targetId");

-- CreateIndex
CREATE UNIQUE INDEX "CommentIndexTarget_tenantId_platform_targetId_key" ON "CommentIndexTarget"("tenantId", "platform", "targetId");

-- CreateIndex
CREATE INDEX "IndexedComment_indexTargetId_authorHandle_idx" ON "IndexedComment"("indexTargetId", "authorHandle");

-- CreateIndex
CREATE INDEX "IndexedComment_tenantId_idx" ON "IndexedComment"("tenantId");

-- CreateIndex
CREATE UNIQUE INDEX "IndexedComment_indexTargetId_commentId_key" ON "IndexedComment"("indexTargetId", "commentId");

-- AddForeignKey
ALTER TABLE "CommentIndexTarget" ADD CONSTRAINT "CommentIndexTarget_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IndexedComment" ADD CONSTRAINT "IndexedComment_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IndexedComment" ADD CONSTRAINT "IndexedComment_indexTargetId_fkey" FOREIGN KEY ("indexTargetId") REFERENCES "CommentIndexTarget"("id") ON DELETE CASCADE ON UPDATE CASCADE;
