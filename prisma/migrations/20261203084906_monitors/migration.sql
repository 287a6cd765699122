-- Uptime monitors: monitors, raw check results, incidents (docs/decisions/060-monitors.md).
-- CreateTable
CREATE TABLE "Monitor" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "config" JSONB NOT NULL DEFAULT '{}',
    "intervalSeconds" INTEGER NOT NULL DEFAULT 60,
    "retries" INTEGER NOT NULL DEFAULT 0,
    "channelIds" TEXT[],
    "agentId" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "pushTokenHash" TEXT,
    "pushTokenSealed" TEXT,
    "lastPushAt" TIMESTAMP(3),
    "status" TEXT NOT NULL DEFAULT 'pending',
    "failures" INTEGER NOT NULL DEFAULT 0,
    "lastCheckAt" TIMESTAMP(3),
    "latencyMs" INTEGER,
    "lastMessage" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Monitor_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MonitorResult" (
    "id" BIGSERIAL NOT NULL,
    "orgId" TEXT NOT NULL,
    "monitorId" TEXT NOT NULL,
    "time" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ok" BOOLEAN NOT NULL,
    "latencyMs" INTEGER,
    "message" TEXT,

    CONSTRAINT "MonitorResult_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MonitorIncident" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "monitorId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "cause" TEXT,
    "message" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveries" JSONB NOT NULL DEFAULT '[]',

    CONSTRAINT "MonitorIncident_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Monitor_pushTokenHash_key" ON "Monitor"("pushTokenHash");

-- CreateIndex
CREATE INDEX "Monitor_orgId_idx" ON "Monitor"("orgId");

-- CreateIndex
CREATE INDEX "MonitorResult_monitorId_time_idx" ON "MonitorResult"("monitorId", "time");

-- CreateIndex
CREATE INDEX "MonitorIncident_monitorId_at_idx" ON "MonitorIncident"("monitorId", "at");

-- AddForeignKey
ALTER TABLE "Monitor" ADD CONSTRAINT "Monitor_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MonitorResult" ADD CONSTRAINT "MonitorResult_monitorId_fkey" FOREIGN KEY ("monitorId") REFERENCES "Monitor"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MonitorIncident" ADD CONSTRAINT "MonitorIncident_monitorId_fkey" FOREIGN KEY ("monitorId") REFERENCES "Monitor"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Row-level security: every monitor table is tenant-owned (see the init migration).

ALTER TABLE "Monitor" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "Monitor"
  USING ("orgId" = current_setting('app.org_id', true))
  WITH CHECK ("orgId" = current_setting('app.org_id', true));

ALTER TABLE "MonitorResult" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "MonitorResult"
  USING ("orgId" = current_setting('app.org_id', true))
  WITH CHECK ("orgId" = current_setting('app.org_id', true));

ALTER TABLE "MonitorIncident" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "MonitorIncident"
  USING ("orgId" = current_setting('app.org_id', true))
  WITH CHECK ("orgId" = current_setting('app.org_id', true));

-- The scheduler runs outside any request: it must learn which organizations have enabled
-- monitors before it can open a tenant transaction for each. This answers exactly that.
CREATE FUNCTION monitor_org_ids()
  RETURNS TABLE ("orgId" text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT DISTINCT m."orgId" FROM "Monitor" m WHERE m."enabled"
$$;

-- A push URL (/api/push/<token>) is called by a cron job with no session: the beat is found by
-- the SHA-256 of its token only, and the caller learns nothing but whether it was accepted.
CREATE FUNCTION monitor_push_beat(token_hash text)
  RETURNS boolean
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
    WITH hit AS (
      UPDATE "Monitor" SET "lastPushAt" = now()
       WHERE "pushTokenHash" = token_hash AND "type" = 'push' AND "enabled"
      RETURNING 1
    )
    SELECT EXISTS (SELECT 1 FROM hit)
$$;
