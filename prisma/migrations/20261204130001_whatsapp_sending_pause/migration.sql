-- The sending circuit breaker: Meta's 131048 (spam restriction on a number), 368 / 131031 / 131042
-- (policy block, locked account, payment problem on the whole account) and a RED quality rating pause
-- every send of the number or account; one probe send per interval tests whether Meta lets us send.
ALTER TABLE "WhatsappAccount" ADD COLUMN "sendingPausedAt" TIMESTAMP(3);
ALTER TABLE "WhatsappAccount" ADD COLUMN "sendingPausedCode" TEXT;
ALTER TABLE "WhatsappAccount" ADD COLUMN "sendingPausedReason" TEXT;
ALTER TABLE "WhatsappAccount" ADD COLUMN "sendingProbeAt" TIMESTAMP(3);
ALTER TABLE "WhatsappAccount" ADD COLUMN "sendingProbeCompletionId" TEXT;
