-- Single sign-on (issue 15, docs/decisions/150-sso.md): providers and linked identities per
-- organization (tenant-owned), and redirect logins in flight (global, found by the hash of their state).
-- CreateTable
CREATE TABLE "SsoProvider" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "config" JSONB NOT NULL DEFAULT '{}',
    "secretsSealed" TEXT,
    "groupRoleMap" JSONB NOT NULL DEFAULT '[]',
    "defaultRole" "Role" NOT NULL DEFAULT 'viewer',
    "jit" BOOLEAN NOT NULL DEFAULT false,
    "enforced" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SsoProvider_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SsoIdentity" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "providerId" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastLoginAt" TIMESTAMP(3),

    CONSTRAINT "SsoIdentity_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SsoLoginState" (
    "id" TEXT NOT NULL,
    "providerId" TEXT NOT NULL,
    "nonce" TEXT NOT NULL,
    "codeVerifier" TEXT NOT NULL,
    "browserHash" TEXT NOT NULL,
    "redirectTo" TEXT,
    "purpose" TEXT NOT NULL DEFAULT 'login',
    "testerId" TEXT,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SsoLoginState_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SsoProvider_orgId_name_key" ON "SsoProvider"("orgId", "name");

-- CreateIndex
CREATE INDEX "SsoIdentity_userId_idx" ON "SsoIdentity"("userId");

-- CreateIndex
CREATE INDEX "SsoIdentity_orgId_idx" ON "SsoIdentity"("orgId");

-- CreateIndex
CREATE UNIQUE INDEX "SsoIdentity_providerId_subject_key" ON "SsoIdentity"("providerId", "subject");

-- CreateIndex
CREATE INDEX "SsoLoginState_expiresAt_idx" ON "SsoLoginState"("expiresAt");

-- AddForeignKey
ALTER TABLE "SsoProvider" ADD CONSTRAINT "SsoProvider_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SsoIdentity" ADD CONSTRAINT "SsoIdentity_providerId_fkey" FOREIGN KEY ("providerId") REFERENCES "SsoProvider"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SsoIdentity" ADD CONSTRAINT "SsoIdentity_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Row-level security: providers and identities are tenant-owned (see the init migration).
ALTER TABLE "SsoProvider" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "SsoProvider"
  USING ("orgId" = current_setting('app.org_id', true))
  WITH CHECK ("orgId" = current_setting('app.org_id', true));
ALTER TABLE "SsoIdentity" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "SsoIdentity"
  USING ("orgId" = current_setting('app.org_id', true))
  WITH CHECK ("orgId" = current_setting('app.org_id', true));

-- The public SSO routes (/api/v1/auth/sso/:id/login, callback, ldap) name only a provider id:
-- this answers which organization to open the tenant transaction in, nothing else.
CREATE FUNCTION sso_provider_org(provider_id text)
  RETURNS text
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT p."orgId" FROM "SsoProvider" p WHERE p."id" = provider_id
$$;

-- The login page of an organization (SaaS: ?org=<slug>) lists its SSO buttons: the organization's
-- id for a slug, and only when it has at least one provider (other slugs stay unanswered).
CREATE FUNCTION sso_org_by_slug(org_slug text)
  RETURNS text
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT o."id" FROM "Organization" o
     WHERE o."slug" = org_slug AND EXISTS (SELECT 1 FROM "SsoProvider" p WHERE p."orgId" = o."id")
$$;
