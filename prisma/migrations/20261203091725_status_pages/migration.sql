-- Public status pages (docs/decisions/060-monitors.md).
-- CreateTable
CREATE TABLE "StatusPage" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "monitorIds" TEXT[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "StatusPage_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "StatusPage_slug_key" ON "StatusPage"("slug");

-- CreateIndex
CREATE INDEX "StatusPage_orgId_idx" ON "StatusPage"("orgId");

-- AddForeignKey
ALTER TABLE "StatusPage" ADD CONSTRAINT "StatusPage_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Row-level security: tenant-owned like every other table (see the init migration).
ALTER TABLE "StatusPage" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "StatusPage"
  USING ("orgId" = current_setting('app.org_id', true))
  WITH CHECK ("orgId" = current_setting('app.org_id', true));

-- /status/<slug> is public: before any tenant is known, this answers only which organization
-- owns the page; everything shown is then read inside that organization's tenant transaction.
CREATE FUNCTION status_page_org(page_slug text)
  RETURNS TABLE ("orgId" text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT p."orgId" FROM "StatusPage" p WHERE p."slug" = page_slug
$$;
