-- Log search through the trigram index for the application role (docs/decisions/030-log-storage.md).
--
-- Under row-level security Postgres applies a query's own conditions only after the policy unless
-- their operators are LEAKPROOF. ILIKE and ~* are not, so for the RLS-confined application role
-- they never become index conditions and every text search scanned every partition in range.
-- log_line_search() runs as its owner (the migration owner, who is not confined by RLS) and
-- confines the rows itself: the organization comes ONLY from current_setting('app.org_id'), the
-- very setting the tenant_isolation policies trust, never from an argument. With app.org_id unset
-- or empty it returns nothing. Every filter is a bound parameter (EXECUTE … USING); only fixed SQL
-- fragments are chosen by which filters are present, so each call is planned with its real values
-- (partition pruning, index choice).
--
-- Filters (NULL = not filtered):
--   p_agent_id, p_container_ids (any of), p_stack, p_proxy_host_id, p_levels (any of);
--   p_like: an ILIKE pattern (the caller escapes wildcards); p_regex: a case-insensitive POSIX regex;
--   p_from: "time" >= ; p_to: "time" <= ; p_until: "time" < ;
--   p_cursor_time/p_cursor_id: keyset, ("time", "id") < (p_cursor_time, p_cursor_id).
-- Rows come newest first, at most p_limit (1..10,000,000: pages ask for ≤ 501, the export's row count for up to 10M, counted).
--
-- Text searches and the trigram index of the open day: a day's full trigram index is built once
-- the day has closed; until then its closed hours get partial indexes
-- "LogLine_pYYYYMMDD_hHH_trgm_idx" (WHERE "time" in that hour), built by
-- log_line_index_closed_hours() (migration 20261125201000). Postgres uses a partial index only
-- for a query whose conditions imply its predicate, so a text search is split into one branch
-- per such hour (with exactly that hour's bounds) plus branches for the gaps between them, each
-- newest first with the limit, merged by UNION ALL. The bounds are computed here from catalog
-- names, never from arguments.
CREATE FUNCTION log_line_search(
    p_agent_id text,
    p_container_ids text[],
    p_stack text,
    p_proxy_host_id text,
    p_levels text[],
    p_like text,
    p_regex text,
    p_from timestamptz,
    p_to timestamptz,
    p_until timestamptz,
    p_cursor_time timestamptz,
    p_cursor_id bigint,
    p_limit integer)
  RETURNS TABLE (
    "id" bigint, "time" timestamptz, "agentId" text, "containerId" text, "containerName" text,
    "stack" text, "proxyHostId" text, "stream" text, "level" text, "message" text)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  v_org text := current_setting('app.org_id', true);
  v_select text;
  v_where text;
  v_order text := ' ORDER BY l."time" DESC, l."id" DESC LIMIT $14';
  v_lo timestamptz := p_from;
  v_hi timestamptz := LEAST(p_to, p_until, p_cursor_time);
  v_branches text[] := '{}';
  v_prev timestamptz := NULL;
  v_hour record;
BEGIN
  IF v_org IS NULL OR v_org = '' THEN
    RETURN;
  END IF;
  IF p_limit IS NULL OR p_limit < 1 OR p_limit > 10000000 THEN
    RAISE EXCEPTION 'log_line_search: limit must be 1..10000000' USING ERRCODE = '22023';
  END IF;
  IF (p_cursor_time IS NULL) <> (p_cursor_id IS NULL) THEN
    RAISE EXCEPTION 'log_line_search: cursor needs both time and id' USING ERRCODE = '22023';
  END IF;
  v_select := 'SELECT l."id", l."time", l."agentId", l."containerId", l."containerName", l."stack", l."proxyHostId", l."stream", l."level", l."message"'
           || ' FROM public."LogLine" l';
  v_where := ' WHERE l."orgId" = $1';
  IF p_agent_id IS NOT NULL THEN v_where := v_where || ' AND l."agentId" = $2'; END IF;
  IF p_container_ids IS NOT NULL THEN
    IF cardinality(p_container_ids) = 1 THEN
      v_where := v_where || ' AND l."containerId" = $3[1]';
    ELSE
      v_where := v_where || ' AND l."containerId" = ANY ($3)';
    END IF;
  END IF;
  IF p_stack IS NOT NULL THEN v_where := v_where || ' AND l."stack" = $4'; END IF;
  IF p_proxy_host_id IS NOT NULL THEN v_where := v_where || ' AND l."proxyHostId" = $5'; END IF;
  IF p_levels IS NOT NULL THEN v_where := v_where || ' AND l."level" = ANY ($6)'; END IF;
  IF p_like IS NOT NULL THEN v_where := v_where || ' AND l."message" ILIKE $7'; END IF;
  IF p_regex IS NOT NULL THEN v_where := v_where || ' AND l."message" ~* $8'; END IF;
  IF p_from IS NOT NULL THEN v_where := v_where || ' AND l."time" >= $9'; END IF;
  IF p_to IS NOT NULL THEN v_where := v_where || ' AND l."time" <= $10'; END IF;
  IF p_until IS NOT NULL THEN v_where := v_where || ' AND l."time" < $11'; END IF;
  IF p_cursor_time IS NOT NULL THEN v_where := v_where || ' AND (l."time", l."id") < ($12, $13)'; END IF;

  IF p_like IS NOT NULL OR p_regex IS NOT NULL THEN
    -- Hours with a partial trigram index that overlap the range, oldest first.
    FOR v_hour IN
      SELECT h.lo, h.lo + interval '1 hour' AS hi FROM (
        SELECT ((to_date(substring(c.relname from 10 for 8), 'YYYYMMDD')::timestamp
                 + make_interval(hours => substring(c.relname from 20 for 2)::integer)) AT TIME ZONE 'UTC') AS lo
          FROM pg_class c
         WHERE c.relkind = 'i' AND c.relnamespace = 'public'::regnamespace
           AND c.relname LIKE 'LogLine\_p%\_h%\_trgm\_idx' AND c.relname ~ '^LogLine_p\d{8}_h\d{2}_trgm_idx$'
      ) h
      WHERE (v_lo IS NULL OR h.lo + interval '1 hour' > v_lo) AND (v_hi IS NULL OR h.lo <= v_hi)
      ORDER BY h.lo
    LOOP
      IF (v_prev IS NULL OR v_hour.lo > v_prev) AND (v_lo IS NULL OR v_hour.lo > v_lo) THEN
        -- The gap before this hour (closed days with their full index, or hours without one), when
        -- the range reaches into it.
        v_branches := v_branches || (v_select || v_where
          || CASE WHEN v_prev IS NULL THEN '' ELSE format(' AND l."time" >= %L::timestamptz', to_char(v_prev AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')) END
          || format(' AND l."time" < %L::timestamptz', to_char(v_hour.lo AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')) || v_order);
      END IF;
      v_branches := v_branches || (v_select || v_where
        || format(' AND l."time" >= %L::timestamptz AND l."time" < %L::timestamptz',
                  to_char(v_hour.lo AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                  to_char(v_hour.hi AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
        || v_order);
      v_prev := v_hour.hi;
    END LOOP;
  END IF;

  IF cardinality(v_branches) = 0 THEN
    RETURN QUERY EXECUTE v_select || v_where || v_order
      USING v_org, p_agent_id, p_container_ids, p_stack, p_proxy_host_id, p_levels, p_like, p_regex,
            p_from, p_to, p_until, p_cursor_time, p_cursor_id, p_limit;
    RETURN;
  END IF;
  -- The rest after the last indexed hour (the current hour, and any later lines), when the range
  -- reaches into it.
  IF v_hi IS NULL OR v_hi >= v_prev THEN
    v_branches := v_branches || (v_select || v_where
      || format(' AND l."time" >= %L::timestamptz', to_char(v_prev AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')) || v_order);
  END IF;
  RETURN QUERY EXECUTE
    'SELECT u.* FROM ((' || array_to_string(v_branches, ') UNION ALL (') || ')) u ORDER BY u."time" DESC, u."id" DESC LIMIT $14'
    USING v_org, p_agent_id, p_container_ids, p_stack, p_proxy_host_id, p_levels, p_like, p_regex,
          p_from, p_to, p_until, p_cursor_time, p_cursor_id, p_limit;
END
$$;

-- Only the owner and the application role (granted EXECUTE ON ALL FUNCTIONS by the bootstrap,
-- which runs after the migrations) may call it.
REVOKE ALL ON FUNCTION log_line_search(text, text[], text, text, text[], text, text, timestamptz, timestamptz, timestamptz, timestamptz, bigint, integer) FROM PUBLIC;
