-- SaaS organizations (issue 12): the plan an organization is on, the operator's suspension, and the
-- platform operator flag on the user /setup creates. No new tables.
-- CreateEnum
CREATE TYPE "Plan" AS ENUM ('free', 'team', 'business');

-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "plan" "Plan" NOT NULL DEFAULT 'free',
ADD COLUMN     "suspendedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "platformAdmin" BOOLEAN NOT NULL DEFAULT false;

