-- SaaS platform operator, plans and limits (issue 12; decisions 095, 096, 097).
-- The operator's session and MFA challenge have no organization; the platform audit trail is a
-- global table no tenant can read; log bytes refused past a plan's monthly volume are counted.
-- AlterTable
ALTER TABLE "MfaChallenge" ALTER COLUMN "orgId" DROP NOT NULL;

-- AlterTable
ALTER TABLE "Session" ALTER COLUMN "orgId" DROP NOT NULL;

-- CreateTable
CREATE TABLE "PlatformAuditLog" (
    "id" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorId" TEXT,
    "actorEmail" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "targetOrgId" TEXT,
    "targetName" TEXT,
    "details" JSONB,
    "ip" TEXT,
    "userAgent" TEXT,

    CONSTRAINT "PlatformAuditLog_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PlatformAuditLog_createdAt_idx" ON "PlatformAuditLog"("createdAt");

-- CreateIndex
CREATE INDEX "PlatformAuditLog_targetOrgId_idx" ON "PlatformAuditLog"("targetOrgId");


-- The platform audit trail belongs to no tenant, and no tenant may read it: its rows are visible
-- (and insertable) only inside a transaction that app/server/platform/platform-db.server.ts marks
-- as the operator's (app.platform = 'operator'), which it does only after requirePlatformAdmin.
ALTER TABLE "PlatformAuditLog" ENABLE ROW LEVEL SECURITY;
CREATE POLICY platform_operator_only ON "PlatformAuditLog"
  USING (current_setting('app.platform', true) = 'operator')
  WITH CHECK (current_setting('app.platform', true) = 'operator');

-- Log volume refused because the organization's plan allowance for the month was used up
-- (the lines themselves are not stored; these counters are the marker users see).
ALTER TABLE "LogUsage" ADD COLUMN "droppedLines" BIGINT NOT NULL DEFAULT 0,
                       ADD COLUMN "droppedBytes" BIGINT NOT NULL DEFAULT 0;

-- The operator console lists every organization with its size, which no tenant transaction can
-- see. This answers exactly that, and only when the caller's transaction is the operator's.
CREATE FUNCTION platform_org_summaries()
  RETURNS TABLE ("id" text, "name" text, "slug" text, "plan" text, "suspendedAt" timestamp(3),
                 "createdAt" timestamp(3), "members" bigint, "agents" bigint, "logBytesThisMonth" bigint)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF current_setting('app.platform', true) IS DISTINCT FROM 'operator' THEN
    RAISE EXCEPTION 'platform_org_summaries: only the platform operator may list organizations';
  END IF;
  RETURN QUERY
    SELECT o."id", o."name", o."slug", o."plan"::text, o."suspendedAt", o."createdAt",
           (SELECT count(*) FROM "Membership" m WHERE m."orgId" = o."id"),
           (SELECT count(*) FROM "Agent" a WHERE a."orgId" = o."id"),
           COALESCE((SELECT sum(u."bytes") FROM "LogUsage" u
                      WHERE u."orgId" = o."id" AND u."day" >= date_trunc('month', now() AT TIME ZONE 'UTC')::date), 0)::bigint
      FROM "Organization" o
     ORDER BY o."createdAt" DESC, o."id";
END
$$;

-- Retention capped by the plan (SaaS): an organization keeps min(its logs.retentionDays, its
-- plan's logRetentionDays) days. The caps come from the app's plan table (app/server/plans/plans.ts)
-- as {"free": 7, …}; NULL (Community) means no cap. Otherwise as before (20261125190000_logs).
DROP FUNCTION log_line_apply_retention(integer);
CREATE FUNCTION log_line_apply_retention(p_default_days integer, p_plan_caps jsonb DEFAULT NULL)
  RETURNS TABLE (dropped_partitions integer, deleted_rows bigint)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  longest integer;
  cutoff date;
  part record;
  n bigint;
  org record;
BEGIN
  dropped_partitions := 0;
  deleted_rows := 0;
  CREATE TEMP TABLE IF NOT EXISTS log_retention_days ("orgId" text PRIMARY KEY, days integer NOT NULL) ON COMMIT DROP;
  DELETE FROM log_retention_days;
  INSERT INTO log_retention_days
    SELECT o."id",
           GREATEST(LEAST(COALESCE(s.days, p_default_days),
                          COALESCE((p_plan_caps ->> o."plan"::text)::integer, 2147483647)), 1)
      FROM "Organization" o
      LEFT JOIN LATERAL (
        SELECT CASE WHEN jsonb_typeof(st."value") = 'number' THEN (st."value" #>> '{}')::numeric::integer END AS days
          FROM "Setting" st WHERE st."orgId" = o."id" AND st."key" = 'logs.retentionDays'
      ) s ON true;
  SELECT max(r.days) INTO longest FROM log_retention_days r;
  longest := GREATEST(COALESCE(longest, p_default_days), 1);
  -- Partitions whose whole day ended before now() - longest.
  cutoff := ((now() AT TIME ZONE 'UTC') - make_interval(days => longest))::date;
  FOR part IN
    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = '"LogLine"'::regclass AND c.relname ~ '^LogLine_p\d{8}$'
       AND to_date(substring(c.relname from 10), 'YYYYMMDD') < cutoff
  LOOP
    EXECUTE format('DROP TABLE public.%I', part.relname);
    dropped_partitions := dropped_partitions + 1;
  END LOOP;
  -- Row by row for organizations whose retention is shorter than the longest.
  FOR org IN SELECT DISTINCT u."orgId" AS id, COALESCE(r.days, p_default_days) AS days
               FROM "LogUsage" u LEFT JOIN log_retention_days r ON r."orgId" = u."orgId"
  LOOP
    DELETE FROM "LogLine" l WHERE l."orgId" = org.id AND l."time" < now() - make_interval(days => org.days);
    GET DIAGNOSTICS n = ROW_COUNT;
    deleted_rows := deleted_rows + n;
  END LOOP;
  RETURN NEXT;
END
$$;
