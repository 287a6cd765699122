// The organization's "require two-factor authentication" switch as a domain verb, against a real
// Postgres: who may read and change it, what it does to members' sessions, the audit entry, and
// that it stays inside its organization.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { setupTestDb, type TestDb } from "../setup/db";
import { verifyAuditChain } from "~/server/audit/audit-log.server";
import { login } from "~/server/auth/login.server";
import { actorFromSessionToken, type Actor } from "~/server/auth/require.server";
import { completeSetup } from "~/server/auth/setup.server";
import { withOrg } from "~/server/db/client.server";
import { ForbiddenError } from "~/server/errors.server";
import { getSecuritySettings, instanceFacts, REQUIRE_MFA_KEY, setRequireMfa } from "~/server/settings/security.server";
import { createUser } from "~/server/users/users.server";
import type { Role } from "~/permissions";

let db: TestDb;
const meta = { ip: "203.0.113.7", userAgent: "vitest", clientIsLocal: true };
const ADMIN = { email: "admin@example.com", name: "Ada", password: "correct horse battery staple" };
let admin: Actor;
const members: Partial<Record<Role, { token: string; actor: Actor }>> = {};

async function sessionOf(email: string, password: string): Promise<{ token: string; actor: Actor }> {
  const result = await login({ email, password }, meta);
  if (result.mfaRequired) throw new Error("MFA is off for this user");
  const token = result.cookie.split(";")[0]!.split("=")[1]!;
  const resolved = await actorFromSessionToken(token);
  if (!resolved) throw new Error("session did not resolve");
  return { token, actor: { ...resolved.actor, ip: meta.ip } };
}

async function setupRequiredFor(token: string): Promise<boolean | undefined> {
  return (await actorFromSessionToken(token))?.actor.mfaSetupRequired;
}

beforeAll(async () => {
  db = await setupTestDb();
  await completeSetup(ADMIN, meta);
  admin = (await sessionOf(ADMIN.email, ADMIN.password)).actor;
  for (const role of ["operator", "viewer"] as const) {
    const member = { email: `${role}@example.com`, name: role, password: `a long ${role} passphrase` };
    await createUser(admin, { ...member, role });
    members[role] = await sessionOf(member.email, member.password);
  }
});

afterAll(async () => {
  await db?.close();
});

describe("require two-factor authentication", () => {
  test("a new organization does not require it and nobody is sent to set it up", async () => {
    await expect(getSecuritySettings(admin)).resolves.toEqual({ requireMfa: false });
    expect(await setupRequiredFor(members.viewer!.token)).toBe(false);
  });

  test("turning it on flags every member without MFA on their next request, and is audited in the chain", async () => {
    await expect(setRequireMfa(admin, true)).resolves.toEqual({ requireMfa: true });
    await expect(getSecuritySettings(admin)).resolves.toEqual({ requireMfa: true });
    expect(await setupRequiredFor(members.viewer!.token)).toBe(true);
    expect(await setupRequiredFor(members.operator!.token)).toBe(true);

    const { rows } = await db.admin.query(
      `SELECT "actorId", "actorEmail", action, "targetType", "targetId", ip, outcome, details FROM "AuditLog" WHERE action = 'settings.security.update'`,
    );
    expect(rows).toEqual([
      {
        actorId: admin.userId,
        actorEmail: ADMIN.email,
        action: "settings.security.update",
        targetType: "setting",
        targetId: REQUIRE_MFA_KEY,
        ip: meta.ip,
        outcome: "success",
        details: { requireMfa: true, previous: false },
      },
    ]);
    await expect(verifyAuditChain(admin)).resolves.toMatchObject({ ok: true });
  });

  test("turning it off again lifts the flag and keeps a single setting row", async () => {
    await setRequireMfa(admin, true); // idempotent
    await setRequireMfa(admin, false);
    await expect(getSecuritySettings(admin)).resolves.toEqual({ requireMfa: false });
    expect(await setupRequiredFor(members.viewer!.token)).toBe(false);
    const { rows } = await db.admin.query(`SELECT value FROM "Setting" WHERE key = $1`, [REQUIRE_MFA_KEY]);
    expect(rows).toEqual([{ value: false }]);
    const audited = await db.admin.query(`SELECT details FROM "AuditLog" WHERE action = 'settings.security.update' ORDER BY id`);
    expect(audited.rows.map((r) => r.details)).toEqual([
      { requireMfa: true, previous: false },
      { requireMfa: true, previous: true },
      { requireMfa: false, previous: true },
    ]);
  });

  test("operators, viewers and a read-scoped API token of an admin may neither read nor change it", async () => {
    for (const actor of [members.operator!.actor, members.viewer!.actor, { ...admin, scope: "read" as const }]) {
      await expect(getSecuritySettings(actor)).rejects.toBeInstanceOf(ForbiddenError);
      await expect(setRequireMfa(actor, true)).rejects.toBeInstanceOf(ForbiddenError);
      expect(() => instanceFacts(actor)).toThrow(ForbiddenError);
    }
    await expect(getSecuritySettings(admin)).resolves.toEqual({ requireMfa: false });
  });

  test("the switch of one organization does not touch another", async () => {
    const otherOrg = randomUUID();
    await withOrg(otherOrg, (tx) => tx.organization.create({ data: { id: otherOrg, name: "Other", slug: "other" } }));
    const otherAdmin: Actor = { ...admin, orgId: otherOrg, userId: randomUUID(), email: "boss@other.example" };
    await setRequireMfa(otherAdmin, true);
    await expect(getSecuritySettings(otherAdmin)).resolves.toEqual({ requireMfa: true });
    await expect(getSecuritySettings(admin)).resolves.toEqual({ requireMfa: false });
    expect(await setupRequiredFor(members.viewer!.token)).toBe(false);
  });

  test("the installation facts name the edition and public URL and never a database URL or key", () => {
    const facts = instanceFacts(admin);
    expect(facts.edition).toBe("community");
    expect(facts.publicUrl).toMatch(/^https?:\/\//);
    expect(["embedded", "external"]).toContain(facts.database);
    expect(JSON.stringify(facts)).not.toMatch(/postgres(ql)?:\/\/|ENCRYPTION|password/i);
  });
});
