// Organization security settings. For now one switch: require two-factor authentication for
// every member (require.server.ts reads the same key on every request and sends members without
// MFA to set it up).
import { auditInTx } from "../audit/audit.server";
import { assertPermission, type Actor } from "../auth/require.server";
import { withOrg } from "../db/client.server";
import { edition } from "../edition.server";
import { env } from "../env.server";

export const REQUIRE_MFA_KEY = "security.requireMfa";

export interface SecuritySettings {
  requireMfa: boolean;
}

export async function getSecuritySettings(actor: Actor): Promise<SecuritySettings> {
  assertPermission(actor, "manage:settings");
  const row = await withOrg(actor.orgId, (tx) =>
    tx.setting.findUnique({ where: { orgId_key: { orgId: actor.orgId, key: REQUIRE_MFA_KEY } }, select: { value: true } }),
  );
  return { requireMfa: row?.value === true };
}

export async function setRequireMfa(actor: Actor, value: boolean): Promise<SecuritySettings> {
  assertPermission(actor, "manage:settings");
  await withOrg(actor.orgId, async (tx) => {
    const where = { orgId_key: { orgId: actor.orgId, key: REQUIRE_MFA_KEY } };
    const before = await tx.setting.findUnique({ where, select: { value: true } });
    await tx.setting.upsert({ where, create: { orgId: actor.orgId, key: REQUIRE_MFA_KEY, value }, update: { value } });
    await auditInTx(tx, {
      orgId: actor.orgId,
      action: "settings.security.update",
      outcome: "success",
      actorId: actor.userId,
      actorEmail: actor.email,
      targetType: "setting",
      targetId: REQUIRE_MFA_KEY,
      ip: actor.ip,
      userAgent: actor.userAgent,
      details: { requireMfa: value, previous: before?.value === true },
    });
  });
  return { requireMfa: value };
}

/** Facts about this installation that are safe to show an administrator (no URLs with credentials, no keys). */
export function instanceFacts(actor: Actor): { edition: string; publicUrl: string; database: "embedded" | "external" } {
  assertPermission(actor, "manage:settings");
  const e = env();
  // Not a secret, but strip credentials should someone have put them into the URL.
  const publicUrl = new URL(e.PUBLIC_URL);
  publicUrl.username = "";
  publicUrl.password = "";
  return { edition: edition(), publicUrl: publicUrl.toString().replace(/\/$/, ""), database: e.DATABASE_URL ? "external" : "embedded" };
}
