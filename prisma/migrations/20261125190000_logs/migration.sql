-- Persisted container and proxy logs (docs/decisions/030-log-storage.md). Raw SQL because Prisma
-- cannot declare partitioned tables; nothing in schema.prisma maps these tables.
--
-- "LogLine" is range-partitioned by day (UTC) on "time". Partitions are created ahead of time by
-- log_line_ensure_partitions(), a SECURITY DEFINER function owned by the migration owner, so the
-- application role never owns a table (RLS would not confine an owner). Retention drops whole
-- partitions once every organization's retention has passed them, and deletes rows per
-- organization before that (log_line_apply_retention()).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE SEQUENCE "LogLine_id_seq" AS bigint CACHE 100;

CREATE TABLE "LogLine" (
    "id"            BIGINT NOT NULL DEFAULT nextval('"LogLine_id_seq"'),
    "orgId"         TEXT NOT NULL,
    "time"          TIMESTAMPTZ NOT NULL,
    "agentId"       TEXT,
    "containerId"   TEXT,
    "containerName" TEXT,
    "stack"         TEXT,
    "proxyHostId"   TEXT,
    "stream"        TEXT NOT NULL,
    "level"         TEXT NOT NULL,
    "message"       TEXT NOT NULL
) PARTITION BY RANGE ("time");

ALTER SEQUENCE "LogLine_id_seq" OWNED BY "LogLine"."id";

-- Newest-first listing (keyset on time, id) per organization, and per container.
CREATE INDEX "LogLine_org_time_idx" ON "LogLine" ("orgId", "time" DESC, "id" DESC);
CREATE INDEX "LogLine_org_container_time_idx" ON "LogLine" ("orgId", "containerId", "time" DESC, "id" DESC);
-- Substring and regex search (ILIKE '%x%', ~*): trigram GIN, chosen over full-text by benchmark.
CREATE INDEX "LogLine_message_trgm_idx" ON "LogLine" USING gin ("message" gin_trgm_ops);

ALTER TABLE "LogLine" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "LogLine"
  USING ("orgId" = current_setting('app.org_id', true))
  WITH CHECK ("orgId" = current_setting('app.org_id', true));

-- Lines and bytes ingested per organization and UTC day (kept after the lines themselves expire).
CREATE TABLE "LogUsage" (
    "orgId" TEXT NOT NULL,
    "day"   DATE NOT NULL,
    "lines" BIGINT NOT NULL DEFAULT 0,
    "bytes" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "LogUsage_pkey" PRIMARY KEY ("orgId", "day")
);
ALTER TABLE "LogUsage" ADD CONSTRAINT "LogUsage_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "LogUsage" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "LogUsage"
  USING ("orgId" = current_setting('app.org_id', true))
  WITH CHECK ("orgId" = current_setting('app.org_id', true));

-- One partition per UTC day, named LogLine_pYYYYMMDD, each with the same tenant policy as the
-- parent: queries through the parent are confined by the parent's policy, and a direct read of a
-- partition (the app role is granted ALL TABLES) by the partition's own.
CREATE FUNCTION log_line_ensure_partitions(p_from date, p_to date) RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  d date;
  part text;
  created integer := 0;
BEGIN
  IF p_to < p_from OR p_to - p_from > 400 THEN
    RAISE EXCEPTION 'log_line_ensure_partitions: bad range % .. %', p_from, p_to;
  END IF;
  d := p_from;
  WHILE d <= p_to LOOP
    part := 'LogLine_p' || to_char(d, 'YYYYMMDD');
    IF to_regclass(format('public.%I', part)) IS NULL THEN
      -- Serialises concurrent creators (two replicas, or the job and an ingesting writer).
      PERFORM pg_advisory_xact_lock(7126030);
      IF to_regclass(format('public.%I', part)) IS NULL THEN
        EXECUTE format('CREATE TABLE public.%I PARTITION OF "LogLine" FOR VALUES FROM (%L) TO (%L)',
                       part, (d::timestamp AT TIME ZONE 'UTC'), ((d + 1)::timestamp AT TIME ZONE 'UTC'));
        EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', part);
        EXECUTE format($p$CREATE POLICY tenant_isolation ON public.%I
                          USING ("orgId" = current_setting('app.org_id', true))
                          WITH CHECK ("orgId" = current_setting('app.org_id', true))$p$, part);
        created := created + 1;
      END IF;
    END IF;
    d := d + 1;
  END LOOP;
  RETURN created;
END
$$;

-- Retention for every organization at once (the job runs it on one replica). Each organization
-- keeps `logs.retentionDays` (Setting) days, p_default_days when unset. A day partition is dropped
-- once it is older than the longest retention of any organization; younger rows past an
-- organization's own retention are deleted.
CREATE FUNCTION log_line_apply_retention(p_default_days integer)
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
  SELECT max(COALESCE(s.days, p_default_days)) INTO longest
    FROM "Organization" o
    LEFT JOIN LATERAL (
      SELECT CASE WHEN jsonb_typeof(st."value") = 'number' THEN (st."value" #>> '{}')::numeric::integer END AS days
        FROM "Setting" st WHERE st."orgId" = o."id" AND st."key" = 'logs.retentionDays'
    ) s ON true;
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
  -- Every organization that ever ingested has a usage row: a small table, unlike "LogLine".
  FOR org IN SELECT DISTINCT u."orgId" AS id FROM "LogUsage" u
  LOOP
    DELETE FROM "LogLine" l
     WHERE l."orgId" = org.id
       AND l."time" < now() - make_interval(days => COALESCE((
             SELECT (st."value" #>> '{}')::numeric::integer FROM "Setting" st
              WHERE st."orgId" = org.id AND st."key" = 'logs.retentionDays' AND jsonb_typeof(st."value") = 'number'), p_default_days));
    GET DIAGNOSTICS n = ROW_COUNT;
    deleted_rows := deleted_rows + n;
  END LOOP;
  RETURN NEXT;
END
$$;

-- Yesterday through three days ahead; the partition job keeps this window moving.
SELECT log_line_ensure_partitions(((now() AT TIME ZONE 'UTC')::date - 1), ((now() AT TIME ZONE 'UTC')::date + 3));
