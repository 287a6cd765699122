-- Monitor result rollups, resend/maintenance/cert warnings, status page groups, logo and posts
-- (docs/decisions/061-monitor-aggregates.md, 062, 063).
-- AlterTable
ALTER TABLE "Monitor" ADD COLUMN     "certWarnedFor" TIMESTAMP(3),
ADD COLUMN     "maintenance" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "resendEvery" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "StatusPage" ADD COLUMN     "groups" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "logo" BYTEA,
ADD COLUMN     "logoType" TEXT,
ADD COLUMN     "logoUrl" TEXT;

-- CreateTable
CREATE TABLE "MonitorAggregate" (
    "orgId" TEXT NOT NULL,
    "monitorId" TEXT NOT NULL,
    "resolution" TEXT NOT NULL,
    "bucket" TIMESTAMP(3) NOT NULL,
    "checks" INTEGER NOT NULL,
    "up" INTEGER NOT NULL,
    "latencySum" BIGINT NOT NULL,
    "latencyCount" INTEGER NOT NULL,
    "latencyMax" INTEGER,
    "histogram" INTEGER[],

    CONSTRAINT "MonitorAggregate_pkey" PRIMARY KEY ("monitorId","resolution","bucket")
);

-- CreateTable
CREATE TABLE "StatusPagePost" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "pageId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL DEFAULT '',
    "status" TEXT NOT NULL,
    "startsAt" TIMESTAMP(3),
    "endsAt" TIMESTAMP(3),
    "resolvedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "StatusPagePost_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "MonitorAggregate_orgId_idx" ON "MonitorAggregate"("orgId");

-- CreateIndex
CREATE INDEX "StatusPagePost_pageId_createdAt_idx" ON "StatusPagePost"("pageId", "createdAt");

-- AddForeignKey
ALTER TABLE "MonitorAggregate" ADD CONSTRAINT "MonitorAggregate_monitorId_fkey" FOREIGN KEY ("monitorId") REFERENCES "Monitor"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StatusPagePost" ADD CONSTRAINT "StatusPagePost_pageId_fkey" FOREIGN KEY ("pageId") REFERENCES "StatusPage"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Row-level security: tenant-owned like every other table (see the init migration).
ALTER TABLE "MonitorAggregate" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "MonitorAggregate"
  USING ("orgId" = current_setting('app.org_id', true))
  WITH CHECK ("orgId" = current_setting('app.org_id', true));
ALTER TABLE "StatusPagePost" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "StatusPagePost"
  USING ("orgId" = current_setting('app.org_id', true))
  WITH CHECK ("orgId" = current_setting('app.org_id', true));
