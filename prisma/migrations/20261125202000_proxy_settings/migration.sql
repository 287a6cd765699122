-- Per-agent nginx settings edited in the UI: for now the default site for unknown host names.

-- CreateTable
CREATE TABLE "ProxySettings" (
    "agentId" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "defaultSite" JSONB NOT NULL DEFAULT '{"mode":"404"}',
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProxySettings_pkey" PRIMARY KEY ("agentId")
);

-- CreateIndex
CREATE INDEX "ProxySettings_orgId_idx" ON "ProxySettings"("orgId");

-- Row-level security: tenant-owned like every proxy table (see the init migration).
ALTER TABLE "ProxySettings" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "ProxySettings"
  USING ("orgId" = current_setting('app.org_id', true))
  WITH CHECK ("orgId" = current_setting('app.org_id', true));
