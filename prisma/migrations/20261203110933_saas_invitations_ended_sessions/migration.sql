-- SaaS organizations (issue 12, docs/decisions/090, 093). Invitations may be made for an e-mail
-- address with no account yet (userId null until accepted) and are revoked by marking them, so a
-- revoked link can say so (410). EndedSession tells the holder of a session ended by an
-- organization's deletion why: it is global (no orgId: the organization is gone) and not under RLS.
-- AlterTable
ALTER TABLE "Invitation" ADD COLUMN     "revokedAt" TIMESTAMP(3),
ALTER COLUMN "userId" DROP NOT NULL;

-- CreateTable
CREATE TABLE "EndedSession" (
    "id" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "orgName" TEXT NOT NULL,
    "endedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "EndedSession_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "EndedSession_expiresAt_idx" ON "EndedSession"("expiresAt");


-- The organization switcher and GET /api/v1/orgs need a user's organizations (name, slug, plan,
-- role) across tenants, before and independently of the current one: like auth_user_memberships,
-- a definer function answering exactly that and nothing more.
CREATE FUNCTION auth_user_orgs(p_user_id text)
  RETURNS TABLE ("id" text, "name" text, "slug" text, "plan" text, "role" text, "joinedAt" timestamp(3))
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT o."id", o."name", o."slug", o."plan"::text, m."role"::text, m."createdAt"
      FROM "Membership" m JOIN "Organization" o ON o."id" = m."orgId"
     WHERE m."userId" = p_user_id
     ORDER BY o."name", o."id"
$$;
