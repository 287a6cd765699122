-- Background work of the Community edition (the built-in agent's log collector) runs outside
-- any request and must learn which organizations exist before it opens a tenant transaction for
-- each. This answers exactly that: ids only.
CREATE FUNCTION organization_ids()
  RETURNS TABLE ("orgId" text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT o."id" FROM "Organization" o ORDER BY o."createdAt"
$$;
