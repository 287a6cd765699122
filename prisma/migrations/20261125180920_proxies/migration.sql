-- CreateTable
CREATE TABLE "ProxyHost" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "agentId" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'proxy',
    "domains" TEXT[],
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "config" JSONB NOT NULL,
    "advanced" TEXT NOT NULL DEFAULT '',
    "accessListId" TEXT,
    "certificateId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "statusMessage" TEXT,
    "appliedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProxyHost_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AccessList" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "satisfy" TEXT NOT NULL DEFAULT 'all',
    "users" JSONB NOT NULL DEFAULT '[]',
    "rules" JSONB NOT NULL DEFAULT '[]',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AccessList_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Certificate" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "domains" TEXT[],
    "mode" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "error" TEXT,
    "issuer" TEXT,
    "notBefore" TIMESTAMP(3),
    "notAfter" TIMESTAMP(3),
    "autoRenew" BOOLEAN NOT NULL DEFAULT true,
    "certificatePem" TEXT,
    "keySealed" TEXT,
    "renewAttempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Certificate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AcmeAccount" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "directoryUrl" TEXT NOT NULL,
    "email" TEXT,
    "keySealed" TEXT NOT NULL,
    "accountUrl" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AcmeAccount_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProxyApplyState" (
    "agentId" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "message" TEXT,
    "generation" TEXT,
    "appliedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProxyApplyState_pkey" PRIMARY KEY ("agentId")
);

-- CreateIndex
CREATE INDEX "ProxyHost_orgId_agentId_idx" ON "ProxyHost"("orgId", "agentId");

-- CreateIndex
CREATE UNIQUE INDEX "AccessList_orgId_name_key" ON "AccessList"("orgId", "name");

-- CreateIndex
CREATE INDEX "Certificate_orgId_notAfter_idx" ON "Certificate"("orgId", "notAfter");

-- CreateIndex
CREATE UNIQUE INDEX "AcmeAccount_orgId_directoryUrl_key" ON "AcmeAccount"("orgId", "directoryUrl");

-- CreateIndex
CREATE INDEX "ProxyApplyState_orgId_idx" ON "ProxyApplyState"("orgId");

-- AddForeignKey
ALTER TABLE "ProxyHost" ADD CONSTRAINT "ProxyHost_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProxyHost" ADD CONSTRAINT "ProxyHost_accessListId_fkey" FOREIGN KEY ("accessListId") REFERENCES "AccessList"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProxyHost" ADD CONSTRAINT "ProxyHost_certificateId_fkey" FOREIGN KEY ("certificateId") REFERENCES "Certificate"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccessList" ADD CONSTRAINT "AccessList_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Certificate" ADD CONSTRAINT "Certificate_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Row-level security: every proxy table is tenant-owned (see the init migration).

ALTER TABLE "ProxyHost" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "ProxyHost"
  USING ("orgId" = current_setting('app.org_id', true))
  WITH CHECK ("orgId" = current_setting('app.org_id', true));

ALTER TABLE "AccessList" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "AccessList"
  USING ("orgId" = current_setting('app.org_id', true))
  WITH CHECK ("orgId" = current_setting('app.org_id', true));

ALTER TABLE "Certificate" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "Certificate"
  USING ("orgId" = current_setting('app.org_id', true))
  WITH CHECK ("orgId" = current_setting('app.org_id', true));

ALTER TABLE "AcmeAccount" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "AcmeAccount"
  USING ("orgId" = current_setting('app.org_id', true))
  WITH CHECK ("orgId" = current_setting('app.org_id', true));

ALTER TABLE "ProxyApplyState" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "ProxyApplyState"
  USING ("orgId" = current_setting('app.org_id', true))
  WITH CHECK ("orgId" = current_setting('app.org_id', true));
