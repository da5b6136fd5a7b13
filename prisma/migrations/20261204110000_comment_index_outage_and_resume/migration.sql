-- Meta outages: how long a target has been unreadable (claims fall back only after a sustained
-- outage), and where an unfinished crawl resumes.
ALTER TABLE "CommentIndexTarget" ADD COLUMN "unreadableSince" TIMESTAMP(3);
ALTER TABLE "CommentIndexTarget" ADD COLUMN "crawlProgress" JSONB;
