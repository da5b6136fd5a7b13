-- Issue 11: one piece of evidence rewards one claim, handles belong to one end user, proof codes,
-- and a short reason code on completions (issue 10, item 6).

-- AlterTable
ALTER TABLE "SocialMediaTask" ADD COLUMN "requireProofCode" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "SocialTaskCompletion" ADD COLUMN "proofCode" TEXT,
ADD COLUMN "reason" TEXT;

-- CreateTable
CREATE TABLE "EvidenceUse" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "taskId" TEXT NOT NULL,
    "evidenceKey" TEXT NOT NULL,
    "completionId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "EvidenceUse_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EndUserHandle" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "platform" "SocialPlatform" NOT NULL,
    "handle" TEXT NOT NULL,
    "endUserId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "EndUserHandle_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EndUserAuditEntry" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "endUserId" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "changes" JSONB NOT NULL,
    "actorId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "EndUserAuditEntry_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SocialTaskCompletion_proofCode_key" ON "SocialTaskCompletion"("proofCode");

-- CreateIndex
CREATE UNIQUE INDEX "EvidenceUse_completionId_key" ON "EvidenceUse"("completionId");

-- CreateIndex
CREATE INDEX "EvidenceUse_tenantId_idx" ON "EvidenceUse"("tenantId");

-- CreateIndex
CREATE UNIQUE INDEX "EvidenceUse_taskId_evidenceKey_key" ON "EvidenceUse"("taskId", "evidenceKey");

-- CreateIndex
CREATE INDEX "EndUserHandle_endUserId_idx" ON "EndUserHandle"("endUserId");

-- CreateIndex
CREATE UNIQUE INDEX "EndUserHandle_tenantId_platform_handle_key" ON "EndUserHandle"("tenantId", "platform", "handle");

-- CreateIndex
CREATE INDEX "EndUserAuditEntry_endUserId_createdAt_idx" ON "EndUserAuditEntry"("endUserId", "createdAt");

-- CreateIndex
CREATE INDEX "EndUserAuditEntry_tenantId_idx" ON "EndUserAuditEntry"("tenantId");

-- AddForeignKey
ALTER TABLE "EvidenceUse" ADD CONSTRAINT "EvidenceUse_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EvidenceUse" ADD CONSTRAINT "EvidenceUse_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "SocialMediaTask"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EvidenceUse" ADD CONSTRAINT "EvidenceUse_completionId_fkey" FOREIGN KEY ("completionId") REFERENCES "SocialTaskCompletion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EndUserHandle" ADD CONSTRAINT "EndUserHandle_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EndUserHandle" ADD CONSTRAINT "EndUserHandle_endUserId_fkey" FOREIGN KEY ("endUserId") REFERENCES "EndUser"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EndUserAuditEntry" ADD CONSTRAINT "EndUserAuditEntry_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EndUserAuditEntry" ADD CONSTRAINT "EndUserAuditEntry_endUserId_fkey" FOREIGN KEY ("endUserId") REFERENCES "EndUser"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Existing profiles keep their handles: bind each (normalised) to its earliest end user.
INSERT INTO "EndUserHandle" ("id", "tenantId", "platform", "handle", "endUserId")
SELECT DISTINCT ON ("tenantId", "platform", "handle") gen_random_uuid()::text, "tenantId", "platform", "handle", "endUserId"
FROM (
    SELECT "tenantId", 'INSTAGRAM'::"SocialPlatform" AS "platform", lower(btrim(regexp_replace(btrim("instagramUsername"), '^@+', ''))) AS "handle", "id" AS "endUserId", "createdAt"
    FROM "EndUser" WHERE "instagramUsername" IS NOT NULL
    UNION ALL
    SELECT "tenantId", 'FACEBOOK'::"SocialPlatform", lower(regexp_replace(btrim(regexp_replace(btrim("facebookName"), '^@+', '')), '\s+', ' ', 'g')), "id", "createdAt"
    FROM "EndUser" WHERE "facebookName" IS NOT NULL
) AS "profile"
WHERE "handle" <> ''
ORDER BY "tenantId", "platform", "handle", "createdAt";
