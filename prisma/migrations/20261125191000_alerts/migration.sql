-- Alerts: channels, rules, per-(rule, target) state and history (docs/decisions/040-alerts.md).
-- CreateTable
CREATE TABLE "AlertChannel" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "config" JSONB NOT NULL DEFAULT '{}',
    "secretsSealed" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AlertChannel_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AlertRule" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "scope" JSONB NOT NULL DEFAULT '{"all":true}',
    "threshold" DOUBLE PRECISION,
    "windowSeconds" INTEGER NOT NULL DEFAULT 300,
    "cooldownSeconds" INTEGER NOT NULL DEFAULT 900,
    "channelIds" TEXT[],
    "notifyOnResolve" BOOLEAN NOT NULL DEFAULT false,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "maintenance" JSONB NOT NULL DEFAULT '[]',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AlertRule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AlertState" (
    "orgId" TEXT NOT NULL,
    "ruleId" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'ok',
    "since" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastFiredAt" TIMESTAMP(3),
    "lastNotifiedAt" TIMESTAMP(3),
    "eventId" TEXT,
    "notified" BOOLEAN NOT NULL DEFAULT false,
    "value" DOUBLE PRECISION,

    CONSTRAINT "AlertState_pkey" PRIMARY KEY ("ruleId","target")
);

-- CreateTable
CREATE TABLE "AlertEvent" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "ruleId" TEXT,
    "ruleName" TEXT NOT NULL,
    "ruleType" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "targetName" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'firing',
    "value" DOUBLE PRECISION,
    "message" TEXT NOT NULL,
    "suppressed" TEXT,
    "firedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolvedAt" TIMESTAMP(3),
    "acknowledgedAt" TIMESTAMP(3),
    "acknowledgedBy" TEXT,

    CONSTRAINT "AlertEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AlertDelivery" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "channelId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "ok" BOOLEAN NOT NULL,
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AlertDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "AlertChannel_orgId_name_key" ON "AlertChannel"("orgId", "name");

-- CreateIndex
CREATE INDEX "AlertRule_orgId_idx" ON "AlertRule"("orgId");

-- CreateIndex
CREATE INDEX "AlertState_orgId_idx" ON "AlertState"("orgId");

-- CreateIndex
CREATE INDEX "AlertEvent_orgId_firedAt_idx" ON "AlertEvent"("orgId", "firedAt");

-- CreateIndex
CREATE INDEX "AlertEvent_orgId_ruleId_idx" ON "AlertEvent"("orgId", "ruleId");

-- CreateIndex
CREATE INDEX "AlertDelivery_eventId_idx" ON "AlertDelivery"("eventId");

-- CreateIndex
CREATE INDEX "AlertDelivery_orgId_at_idx" ON "AlertDelivery"("orgId", "at");

-- AddForeignKey
ALTER TABLE "AlertChannel" ADD CONSTRAINT "AlertChannel_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AlertRule" ADD CONSTRAINT "AlertRule_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AlertState" ADD CONSTRAINT "AlertState_ruleId_fkey" FOREIGN KEY ("ruleId") REFERENCES "AlertRule"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AlertDelivery" ADD CONSTRAINT "AlertDelivery_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "AlertEvent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Row-level security: every alert table is tenant-owned (see the init migration).

ALTER TABLE "AlertChannel" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "AlertChannel"
  USING ("orgId" = current_setting('app.org_id', true))
  WITH CHECK ("orgId" = current_setting('app.org_id', true));

ALTER TABLE "AlertRule" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "AlertRule"
  USING ("orgId" = current_setting('app.org_id', true))
  WITH CHECK ("orgId" = current_setting('app.org_id', true));

ALTER TABLE "AlertState" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "AlertState"
  USING ("orgId" = current_setting('app.org_id', true))
  WITH CHECK ("orgId" = current_setting('app.org_id', true));

ALTER TABLE "AlertEvent" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "AlertEvent"
  USING ("orgId" = current_setting('app.org_id', true))
  WITH CHECK ("orgId" = current_setting('app.org_id', true));

ALTER TABLE "AlertDelivery" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "AlertDelivery"
  USING ("orgId" = current_setting('app.org_id', true))
  WITH CHECK ("orgId" = current_setting('app.org_id', true));

-- The alert engine runs outside any request: it must learn which organizations have enabled
-- rules before it can open a tenant transaction for each. This answers exactly that.
CREATE FUNCTION alert_rule_org_ids()
  RETURNS TABLE ("orgId" text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT DISTINCT r."orgId" FROM "AlertRule" r WHERE r."enabled"
$$;

-- /metrics is per install (one bearer token, no tenant): these return counts and expiry dates
-- only, never names, messages or secrets of any organization.
CREATE FUNCTION metrics_alerts_firing()
  RETURNS TABLE ("ruleType" text, "firing" bigint)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT r."type", count(*) FROM "AlertState" s JOIN "AlertRule" r ON r."id" = s."ruleId"
     WHERE s."state" = 'firing' GROUP BY r."type"
$$;

CREATE FUNCTION metrics_certificates()
  RETURNS TABLE ("id" text, "status" text, "notAfter" timestamp)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT c."id", c."status", c."notAfter" FROM "Certificate" c
$$;

CREATE FUNCTION metrics_proxy_apply()
  RETURNS TABLE ("state" text, "agents" bigint)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT a."state", count(*) FROM "ProxyApplyState" a GROUP BY a."state"
$$;
