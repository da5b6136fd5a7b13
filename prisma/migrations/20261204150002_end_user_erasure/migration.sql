-- An end user's erasure (DELETE /api/v1/end-users/:id): the row stays, stripped of everything
-- personal, so claims keep their counts and spins; erased rows answer as absent and their tokens fail.
ALTER TABLE "EndUser" ADD COLUMN "erasedAt" TIMESTAMP(3);
