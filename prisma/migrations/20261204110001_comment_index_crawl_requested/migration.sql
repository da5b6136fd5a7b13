-- Freshness requests are deduplicated: one signal per crawl still to start, not one per request.
ALTER TABLE "CommentIndexTarget" ADD COLUMN "crawlRequestedAt" TIMESTAMP(3);
