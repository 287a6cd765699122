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
-- Rows come newest first, at most p_limit (1..1001).
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
  v_sql text;
BEGIN
  IF v_org IS NULL OR v_org = '' THEN
    RETURN;
  END IF;
  IF p_limit IS NULL OR p_limit < 1 OR p_limit > 1001 THEN
    RAISE EXCEPTION 'log_line_search: limit must be 1..1001' USING ERRCODE = '22023';
  END IF;
  IF (p_cursor_time IS NULL) <> (p_cursor_id IS NULL) THEN
    RAISE EXCEPTION 'log_line_search: cursor needs both time and id' USING ERRCODE = '22023';
  END IF;
  v_sql := 'SELECT l."id", l."time", l."agentId", l."containerId", l."containerName", l."stack", l."proxyHostId", l."stream", l."level", l."message"'
        || ' FROM public."LogLine" l WHERE l."orgId" = $1';
  IF p_agent_id IS NOT NULL THEN v_sql := v_sql || ' AND l."agentId" = $2'; END IF;
  IF p_container_ids IS NOT NULL THEN
    IF cardinality(p_container_ids) = 1 THEN
      v_sql := v_sql || ' AND l."containerId" = $3[1]';
    ELSE
      v_sql := v_sql || ' AND l."containerId" = ANY ($3)';
    END IF;
  END IF;
  IF p_stack IS NOT NULL THEN v_sql := v_sql || ' AND l."stack" = $4'; END IF;
  IF p_proxy_host_id IS NOT NULL THEN v_sql := v_sql || ' AND l."proxyHostId" = $5'; END IF;
  IF p_levels IS NOT NULL THEN v_sql := v_sql || ' AND l."level" = ANY ($6)'; END IF;
  IF p_like IS NOT NULL THEN v_sql := v_sql || ' AND l."message" ILIKE $7'; END IF;
  IF p_regex IS NOT NULL THEN v_sql := v_sql || ' AND l."message" ~* $8'; END IF;
  IF p_from IS NOT NULL THEN v_sql := v_sql || ' AND l."time" >= $9'; END IF;
  IF p_to IS NOT NULL THEN v_sql := v_sql || ' AND l."time" <= $10'; END IF;
  IF p_until IS NOT NULL THEN v_sql := v_sql || ' AND l."time" < $11'; END IF;
  IF p_cursor_time IS NOT NULL THEN v_sql := v_sql || ' AND (l."time", l."id") < ($12, $13)'; END IF;
  v_sql := v_sql || ' ORDER BY l."time" DESC, l."id" DESC LIMIT $14';
  RETURN QUERY EXECUTE v_sql
    USING v_org, p_agent_id, p_container_ids, p_stack, p_proxy_host_id, p_levels, p_like, p_regex,
          p_from, p_to, p_until, p_cursor_time, p_cursor_id, p_limit;
END
$$;

-- Only the owner and the application role (granted EXECUTE ON ALL FUNCTIONS by the bootstrap,
-- which runs after the migrations) may call it.
REVOKE ALL ON FUNCTION log_line_search(text, text[], text, text, text[], text, text, timestamptz, timestamptz, timestamptz, timestamptz, bigint, integer) FROM PUBLIC;
