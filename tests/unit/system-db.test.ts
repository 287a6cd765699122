// systemDb() exposes the global models only: a tenant query outside withOrg is a compile error
// (`npm run typecheck` checks the @ts-expect-error lines below: each must stay an error), and
// at run time the handle has nothing else on it either (docs/decisions/100).
import { readFileSync } from "node:fs";
import { describe, expect, expectTypeOf, test } from "vitest";
import { connectDatabase, disconnectDatabase, GLOBAL_MODELS, systemDb, type GlobalModel, type SystemDb } from "~/server/db/client.server";
import { Prisma } from "~/generated/prisma/client";

type ModelKey = Uncapitalize<Prisma.ModelName>;

/** Never called: compiled only. Each marked line must fail to type-check. */
export function tenantQueriesDoNotCompile(db: SystemDb) {
  // @ts-expect-error a tenant model is not on systemDb(): use withOrg(orgId, tx => tx.agent…)
  void db.agent.findMany();
  // @ts-expect-error a tenant model is not on systemDb()
  void db.proxyHost.count();
  // @ts-expect-error a tenant model is not on systemDb()
  void db.organization.create({ data: { name: "x", slug: "x" } });
  // @ts-expect-error a tenant model is not on systemDb()
  void db.membership.findMany();
  // @ts-expect-error a tenant model is not on systemDb()
  void db.auditLog.findMany();
  // @ts-expect-error no interactive transaction: its callback would get the whole client
  void db.$transaction(async (tx) => tx);
  // @ts-expect-error no unsafe raw SQL from strings
  void db.$queryRawUnsafe("SELECT 1");
  // The global models and tagged raw SQL are fine.
  void db.user.findMany();
  void db.session.count();
  void db.$queryRaw`SELECT 1`;
  void db.$transaction([db.user.count(), db.session.count()]);
}

describe("systemDb()", () => {
  test("its type holds exactly the global models of the Prisma schema", () => {
    expectTypeOf<Extract<keyof SystemDb, ModelKey>>().toEqualTypeOf<GlobalModel>();
  });

  test("at run time it carries the global models and nothing of the tenant's", () => {
    // The client connects lazily: nothing here touches a database.
    connectDatabase("postgresql://nobody@127.0.0.1:1/none", 0);
    try {
      const keys = Object.keys(systemDb()).sort();
      expect(keys).toEqual([...GLOBAL_MODELS, "$executeRaw", "$queryRaw", "$transaction"].sort());
      const handle = systemDb() as unknown as Record<string, unknown>;
      for (const tenant of ["agent", "proxyHost", "organization", "membership", "auditLog"]) expect(handle[tenant], tenant).toBeUndefined();
      expect(() => (systemDb().$transaction as unknown as (fn: () => void) => unknown)(() => {})).toThrow(/withOrg/);
    } finally {
      void disconnectDatabase();
    }
  });

  test("every global model is either without an organization or a named authentication record (decision 001)", () => {
    const schema = readFileSync(new URL("../../prisma/schema.prisma", import.meta.url), "utf8");
    const authRecords = ["Session", "MfaChallenge", "ApiToken", "Invitation"];
    for (const model of GLOBAL_MODELS) {
      const name = model[0]!.toUpperCase() + model.slice(1);
      const block = schema.match(new RegExp(`model ${name} \\{([\\s\\S]*?)\\n\\}`))?.[1];
      expect(block, name).toBeDefined();
      if (/^\s*orgId\s/m.test(block!)) expect(authRecords, `${name} has an orgId: a tenant table cannot be global`).toContain(name);
    }
  });
});
