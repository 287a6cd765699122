-- Invitations are bound to the user they were made for (docs/decisions/051): the link sets only
-- that user's password and is deleted with them. Existing links are matched to their user by
-- e-mail; a link whose user no longer exists could only ever have set a stranger's password and
-- is dropped.
ALTER TABLE "Invitation" ADD COLUMN "userId" TEXT;
UPDATE "Invitation" i SET "userId" = u."id" FROM "User" u WHERE u."email" = i."email";
DELETE FROM "Invitation" WHERE "userId" IS NULL;
ALTER TABLE "Invitation" ALTER COLUMN "userId" SET NOT NULL;

-- CreateIndex
CREATE INDEX "Invitation_userId_idx" ON "Invitation"("userId");

-- AddForeignKey
ALTER TABLE "Invitation" ADD CONSTRAINT "Invitation_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
