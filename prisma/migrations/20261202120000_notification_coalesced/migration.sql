-- One recipient, one message at a time (issue 12): notifications of one end user and campaign that
-- are due together go out as one message; the others are recorded as COALESCED into it.
ALTER TYPE "NotificationStatus" ADD VALUE 'COALESCED';

ALTER TABLE "SocialTaskCompletion" ADD COLUMN "notificationCoalescedIntoId" TEXT;
