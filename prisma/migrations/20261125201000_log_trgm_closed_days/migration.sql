-- Trigram index per closed day, and per closed hour of the open day (docs/decisions/030-log-storage.md).
--
-- Maintaining the pg_trgm GIN index row by row dominated every ingestion path (~25k lines/s with
-- it). The day being written (today, UTC) and the days created ahead now carry only the two
-- btree indexes; once a day has closed, log_line_index_closed_partitions() builds its trigram
-- index in one pass (several times cheaper than maintaining it line by line). Until then, each
-- ended hour of the open day gets a partial index (log_line_index_closed_hours() below), so a
-- search scans at most the current hour.
--
-- The partitioned (parent-level) index is replaced by one index per partition, named
-- "LogLine_pYYYYMMDD_message_trgm_idx". Dropping the parent index drops its partitions' indexes.
DROP INDEX "LogLine_message_trgm_idx";

-- Builds the trigram index of up to p_max closed day partitions (day < today, UTC) lacking it,
-- oldest first; returns how many it built. Idempotent; the log-search-index job calls it until it
-- returns 0 (at start-up and periodically). A plain CREATE INDEX (CONCURRENTLY cannot run in a
-- function): late lines for the day being indexed wait for the build (seconds per day).
CREATE FUNCTION log_line_index_closed_partitions(p_max integer) RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  part record;
  built integer := 0;
  today date := (now() AT TIME ZONE 'UTC')::date;
BEGIN
  FOR part IN
    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'public."LogLine"'::regclass AND c.relname ~ '^LogLine_p\d{8}$'
       AND to_date(substring(c.relname from 10), 'YYYYMMDD') < today
       AND to_regclass(format('public.%I', c.relname || '_message_trgm_idx')) IS NULL
     ORDER BY c.relname
  LOOP
    EXIT WHEN built >= p_max;
    -- Serialises with another builder (two replicas) and re-checks after waiting.
    PERFORM pg_advisory_xact_lock(7126034);
    IF to_regclass(format('public.%I', part.relname)) IS NOT NULL
       AND to_regclass(format('public.%I', part.relname || '_message_trgm_idx')) IS NULL THEN
      EXECUTE format('CREATE INDEX %I ON public.%I USING gin ("message" gin_trgm_ops)', part.relname || '_message_trgm_idx', part.relname);
      built := built + 1;
    END IF;
  END LOOP;
  -- The day's hourly indexes (below) are superseded by its full index.
  FOR part IN
    SELECT c.relname FROM pg_class c
     WHERE c.relkind = 'i' AND c.relnamespace = 'public'::regnamespace
       AND c.relname ~ '^LogLine_p\d{8}_h\d{2}_trgm_idx$'
       AND to_regclass(format('public.%I', substring(c.relname from 1 for 17) || '_message_trgm_idx')) IS NOT NULL
  LOOP
    EXECUTE format('DROP INDEX public.%I', part.relname);
  END LOOP;
  RETURN built;
END
$$;
REVOKE ALL ON FUNCTION log_line_index_closed_partitions(integer) FROM PUBLIC;

-- The open day, hour by hour: for every day partition without its full trigram index (today,
-- in practice: the job gives closed days theirs first), each hour that has ended gets a partial
-- trigram index "LogLine_pYYYYMMDD_hHH_trgm_idx" WHERE "time" in that hour. Lines of the current
-- hour touch no trigram index (their rows match no predicate), so ingestion stays cheap, and a
-- text search scans at most the current hour (log_line_search() queries the hours one by one).
-- Builds at most p_max indexes, oldest first; returns how many. Each build reads the day's heap
-- once and blocks writers of that day meanwhile (about a second for a 300k-line day).
CREATE FUNCTION log_line_index_closed_hours(p_max integer) RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  part record;
  h integer;
  lo timestamptz;
  idx text;
  built integer := 0;
BEGIN
  FOR part IN
    SELECT c.relname, to_date(substring(c.relname from 10), 'YYYYMMDD') AS day
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'public."LogLine"'::regclass AND c.relname ~ '^LogLine_p\d{8}$'
       AND to_date(substring(c.relname from 10), 'YYYYMMDD') <= (now() AT TIME ZONE 'UTC')::date
       AND to_regclass(format('public.%I', c.relname || '_message_trgm_idx')) IS NULL
     ORDER BY c.relname
  LOOP
    FOR h IN 0..23 LOOP
      lo := (part.day::timestamp + make_interval(hours => h)) AT TIME ZONE 'UTC';
      EXIT WHEN lo + interval '1 hour' > now();
      idx := part.relname || '_h' || lpad(h::text, 2, '0') || '_trgm_idx';
      CONTINUE WHEN to_regclass(format('public.%I', idx)) IS NOT NULL;
      IF built >= p_max THEN
        RETURN built;
      END IF;
      PERFORM pg_advisory_xact_lock(7126034);
      IF to_regclass(format('public.%I', idx)) IS NULL THEN
        EXECUTE format('CREATE INDEX %I ON public.%I USING gin ("message" gin_trgm_ops) WHERE "time" >= %L::timestamptz AND "time" < %L::timestamptz',
                       idx, part.relname,
                       to_char(lo AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                       to_char((lo + interval '1 hour') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'));
        built := built + 1;
      END IF;
    END LOOP;
  END LOOP;
  RETURN built;
END
$$;
REVOKE ALL ON FUNCTION log_line_index_closed_hours(integer) FROM PUBLIC;

-- Closed days that exist now get their index here (until now they had the parent's).
SELECT log_line_index_closed_partitions(1000);
