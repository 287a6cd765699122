-- AlterTable
ALTER TABLE "AuditLog" ADD COLUMN     "hashVersion" INTEGER NOT NULL DEFAULT 1;

-- CreateTable
CREATE TABLE "AuditChainHead" (
    "orgId" TEXT NOT NULL,
    "lastId" BIGINT NOT NULL,
    "lastHash" TEXT NOT NULL,
    "count" BIGINT NOT NULL,
    "signature" TEXT NOT NULL,
    "updatedAt" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditChainHead_pkey" PRIMARY KEY ("orgId")
);

-- CreateTable
CREATE TABLE "AuditCheckpoint" (
    "id" BIGSERIAL NOT NULL,
    "orgId" TEXT NOT NULL,
    "time" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "kind" TEXT NOT NULL,
    "lastId" BIGINT NOT NULL,
    "lastHash" TEXT NOT NULL,
    "count" BIGINT NOT NULL,
    "removedCount" BIGINT NOT NULL DEFAULT 0,
    "removedLastId" BIGINT,
    "removedLastHash" TEXT,
    "signature" TEXT NOT NULL,

    CONSTRAINT "AuditCheckpoint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditSettings" (
    "orgId" TEXT NOT NULL,
    "retentionDays" INTEGER NOT NULL DEFAULT 365,
    "immutable" BOOLEAN NOT NULL DEFAULT false,
    "immutableSince" TIMESTAMPTZ(6),
    "updatedAt" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditSettings_pkey" PRIMARY KEY ("orgId")
);

-- CreateIndex
CREATE INDEX "AuditCheckpoint_orgId_id_idx" ON "AuditCheckpoint"("orgId", "id");

-- AddForeignKey
ALTER TABLE "AuditChainHead" ADD CONSTRAINT "AuditChainHead_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuditCheckpoint" ADD CONSTRAINT "AuditCheckpoint_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuditSettings" ADD CONSTRAINT "AuditSettings_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Tamper-evidence of the audit trail (docs/decisions/110-audit-tamper-evidence.md).

ALTER TABLE "AuditChainHead" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "AuditChainHead"
  USING ("orgId" = current_setting('app.org_id', true))
  WITH CHECK ("orgId" = current_setting('app.org_id', true));
ALTER TABLE "AuditCheckpoint" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "AuditCheckpoint"
  USING ("orgId" = current_setting('app.org_id', true))
  WITH CHECK ("orgId" = current_setting('app.org_id', true));
ALTER TABLE "AuditSettings" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "AuditSettings"
  USING ("orgId" = current_setting('app.org_id', true))
  WITH CHECK ("orgId" = current_setting('app.org_id', true));

-- The application role may only INSERT and SELECT audit rows and checkpoints: the privileges are
-- revoked by the bootstrap (app/server/db/bootstrap.server.ts) after its blanket grant.

-- Rows and checkpoints of an organization in immutable mode cannot be changed or removed by
-- anyone, the table owner included, except by audit_apply_retention() below, or when the whole
-- organization is deleted (its row is gone by the time the cascade reaches these tables).
CREATE FUNCTION audit_guard_rows() RETURNS trigger
  LANGUAGE plpgsql SET search_path = public AS $$
DECLARE
  -- What a BEFORE trigger lets through: the new row for an UPDATE, the old one for a DELETE.
  allowed record := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
BEGIN
  IF current_setting('infrapilot.audit_retention', true) = 'on' THEN
    RETURN allowed;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM "Organization" o WHERE o."id" = OLD."orgId") THEN
    RETURN allowed;
  END IF;
  IF EXISTS (SELECT 1 FROM "AuditSettings" s WHERE s."orgId" = OLD."orgId" AND s."immutable") THEN
    RAISE EXCEPTION 'the audit trail of this organization is immutable: % refused', TG_OP
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN allowed;
END $$;

CREATE TRIGGER audit_log_guard BEFORE UPDATE OR DELETE ON "AuditLog"
  FOR EACH ROW EXECUTE FUNCTION audit_guard_rows();
CREATE TRIGGER audit_checkpoint_guard BEFORE UPDATE OR DELETE ON "AuditCheckpoint"
  FOR EACH ROW EXECUTE FUNCTION audit_guard_rows();

-- Immutable mode, once on, stays on; its retention can only grow.
CREATE FUNCTION audit_guard_settings() RETURNS trigger
  LANGUAGE plpgsql SET search_path = public AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD."immutable" AND EXISTS (SELECT 1 FROM "Organization" o WHERE o."id" = OLD."orgId") THEN
      RAISE EXCEPTION 'immutable audit settings cannot be removed' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN OLD;
  END IF;
  IF OLD."immutable" AND NOT NEW."immutable" THEN
    RAISE EXCEPTION 'immutable mode cannot be turned off' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD."immutable" AND NEW."retentionDays" < OLD."retentionDays" THEN
    RAISE EXCEPTION 'retention of an immutable audit trail can only grow' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER audit_settings_guard BEFORE UPDATE OR DELETE ON "AuditSettings"
  FOR EACH ROW EXECUTE FUNCTION audit_guard_settings();

-- Retention: the one way audit rows leave the table. Removes the caller's organization's entries
-- older than its own retention setting (never fewer days than 30), oldest first, and answers what
-- it removed so the app can write a signed checkpoint that bridges the gap for the verifier.
CREATE FUNCTION audit_apply_retention()
  RETURNS TABLE (removed bigint, removed_last_id bigint, removed_last_hash text)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  org text := current_setting('app.org_id', true);
  days integer;
BEGIN
  removed := 0;
  IF org IS NULL OR org = '' THEN
    RETURN NEXT;
    RETURN;
  END IF;
  SELECT s."retentionDays" INTO days FROM "AuditSettings" s WHERE s."orgId" = org;
  IF days IS NULL THEN
    RETURN NEXT; -- no retention configured: keep everything
    RETURN;
  END IF;
  days := greatest(days, 30);
  SELECT a."id", a."hash" INTO removed_last_id, removed_last_hash FROM "AuditLog" a
   WHERE a."orgId" = org AND a."time" < now() - make_interval(days => days)
   ORDER BY a."id" DESC LIMIT 1;
  IF removed_last_id IS NULL THEN
    RETURN NEXT;
    RETURN;
  END IF;
  PERFORM set_config('infrapilot.audit_retention', 'on', true);
  DELETE FROM "AuditLog" a WHERE a."orgId" = org AND a."id" <= removed_last_id;
  GET DIAGNOSTICS removed = ROW_COUNT;
  PERFORM set_config('infrapilot.audit_retention', 'off', true);
  RETURN NEXT;
END $$;

