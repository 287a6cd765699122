-- Proxy hosts refuse a name another organization's status page holds as its custom domain
-- (decision 163). The same definer function answers it, with a second argument: with
-- include_proxy_hosts = false it asks only about other organizations' status page domains (two
-- organizations' proxy hosts, each on its own agent, may still serve the same name). Still yes or
-- no, never which organization; the caller's organization is still the transaction's app.org_id.
DROP FUNCTION domain_taken_by_other_org(text);
CREATE FUNCTION domain_taken_by_other_org(host_name text, include_proxy_hosts boolean DEFAULT true)
  RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT (include_proxy_hosts AND EXISTS (
      SELECT 1 FROM "ProxyHost" h
       WHERE h."orgId" IS DISTINCT FROM current_setting('app.org_id', true) AND lower(host_name) = ANY (SELECT lower(d) FROM unnest(h."domains") d)
    )) OR EXISTS (
      SELECT 1 FROM "StatusPage" p
       WHERE p."orgId" IS DISTINCT FROM current_setting('app.org_id', true) AND lower(p."customDomain") = lower(host_name)
    )
$$;
