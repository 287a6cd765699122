-- AlterTable
ALTER TABLE "Agent" ADD COLUMN     "logSeq" BIGINT NOT NULL DEFAULT 0;

-- A column of an existing tenant table: "Agent"'s row-level security covers it (docs/decisions/135).
