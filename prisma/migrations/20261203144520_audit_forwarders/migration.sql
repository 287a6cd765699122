-- CreateTable
CREATE TABLE "AuditForwarder" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "config" JSONB NOT NULL,
    "secret" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "lastForwardedId" BIGINT NOT NULL DEFAULT 0,
    "lastForwardedAt" TIMESTAMPTZ(6),
    "lastError" TEXT,
    "lastErrorAt" TIMESTAMPTZ(6),
    "failures" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditForwarder_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AuditForwarder_orgId_idx" ON "AuditForwarder"("orgId");

-- CreateIndex
CREATE INDEX "AuditLog_orgId_id_idx" ON "AuditLog"("orgId", "id");

-- AddForeignKey
ALTER TABLE "AuditForwarder" ADD CONSTRAINT "AuditForwarder_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- New tenant-owned tables need row-level security here (see the init migration).
ALTER TABLE "AuditForwarder" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "AuditForwarder"
  USING ("orgId" = current_setting('app.org_id', true))
  WITH CHECK ("orgId" = current_setting('app.org_id', true));
