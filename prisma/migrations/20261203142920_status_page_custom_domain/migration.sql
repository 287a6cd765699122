-- AlterTable
ALTER TABLE "StatusPage" ADD COLUMN     "certificateId" TEXT,
ADD COLUMN     "customDomain" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "StatusPage_customDomain_key" ON "StatusPage"("customDomain");

-- AddForeignKey
ALTER TABLE "StatusPage" ADD CONSTRAINT "StatusPage_certificateId_fkey" FOREIGN KEY ("certificateId") REFERENCES "Certificate"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- A status page's custom domain must not be a host name another organization already serves
-- (one of its proxy hosts' domains or its status pages' domains): this answers only whether one
-- does, never which organization (decision 140). The caller's organization comes from the
-- transaction's app.org_id, never from an argument.
CREATE FUNCTION domain_taken_by_other_org(host_name text)
  RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT EXISTS (
      SELECT 1 FROM "ProxyHost" h
       WHERE h."orgId" IS DISTINCT FROM current_setting('app.org_id', true) AND lower(host_name) = ANY (SELECT lower(d) FROM unnest(h."domains") d)
    ) OR EXISTS (
      SELECT 1 FROM "StatusPage" p
       WHERE p."orgId" IS DISTINCT FROM current_setting('app.org_id', true) AND lower(p."customDomain") = lower(host_name)
    )
$$;
