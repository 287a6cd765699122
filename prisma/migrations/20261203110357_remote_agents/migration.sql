-- Remote agents (issue 13, docs/decisions/080-remote-agent-protocol.md): enrollment tokens and the
-- identity columns of remote agents.
-- AlterTable
ALTER TABLE "Agent" ADD COLUMN     "enrollmentTokenId" TEXT,
ADD COLUMN     "facts" JSONB,
ADD COLUMN     "hostname" TEXT,
ADD COLUMN     "latencyMs" INTEGER,
ADD COLUMN     "publicKey" TEXT,
ADD COLUMN     "revokedAt" TIMESTAMP(3),
ADD COLUMN     "version" TEXT;

-- CreateTable
CREATE TABLE "EnrollmentToken" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "maxUses" INTEGER NOT NULL,
    "uses" INTEGER NOT NULL DEFAULT 0,
    "revokedAt" TIMESTAMP(3),
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "EnrollmentToken_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "EnrollmentToken_secretHash_key" ON "EnrollmentToken"("secretHash");

-- CreateIndex
CREATE INDEX "EnrollmentToken_orgId_idx" ON "EnrollmentToken"("orgId");

-- AddForeignKey
ALTER TABLE "EnrollmentToken" ADD CONSTRAINT "EnrollmentToken_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Row-level security: enrollment tokens are tenant-owned (see the init migration).
ALTER TABLE "EnrollmentToken" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "EnrollmentToken"
  USING ("orgId" = current_setting('app.org_id', true))
  WITH CHECK ("orgId" = current_setting('app.org_id', true));

-- POST /api/v1/agents/enroll has no session: the organization of a token is found by the SHA-256
-- of its secret only; the caller learns nothing else, and the enrollment itself then runs in a
-- tenant transaction of that organization.
CREATE FUNCTION enrollment_token_org(secret_hash text)
  RETURNS text
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT t."orgId" FROM "EnrollmentToken" t WHERE t."secretHash" = secret_hash
$$;

-- An agent's socket names only its agent id before it proves its key: this answers which
-- organization to open the tenant transaction in (remote agents only).
CREATE FUNCTION remote_agent_org(agent_id text)
  RETURNS text
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT a."orgId" FROM "Agent" a WHERE a."id" = agent_id AND a."kind" = 'remote'
$$;

-- At boot no socket is held by this control plane: a remote agent shown online is one whose
-- previous control plane stopped without saying so.
CREATE FUNCTION remote_agents_all_offline()
  RETURNS integer
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
    WITH changed AS (UPDATE "Agent" SET "status" = 'offline' WHERE "kind" = 'remote' AND "status" <> 'offline' RETURNING 1)
    SELECT count(*)::integer FROM changed
$$;
