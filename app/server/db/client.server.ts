// The app's only database handles. `systemDb()` reaches the global tables (users, sessions,
// throttles) and nothing else: its type has no tenant model, so a tenant query outside `withOrg`
// does not compile. All tenant data goes through `withOrg`, which sets app.org_id for one
// transaction so Postgres row-level security confines every statement to that organization.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient, type Prisma } from "~/generated/prisma/client";
import { getSingleton, setSingleton } from "../singleton.server";
import { ServiceUnavailableError } from "../errors.server";
import { describeEmbeddedState, type EmbeddedDatabaseState } from "./restart-policy";

export type Db = PrismaClient;
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

/**
 * The models that belong to no tenant (docs/decisions/001 and 100): identities and the
 * authentication records found by the hash of a secret before any organization is known.
 * Adding a model here is a decision: it must never hold one organization's data that another
 * could reach without a filter (tests/unit/system-db.test.ts keeps the list and the runtime in step).
 */
export const GLOBAL_MODELS = ["user", "session", "loginThrottle", "mfaBackupCode", "mfaChallenge", "apiToken", "invitation", "endedSession", "passwordReset", "ssoLoginState"] as const;
export type GlobalModel = (typeof GLOBAL_MODELS)[number];

/**
 * What `systemDb()` hands out: the global models, raw SQL (the SECURITY DEFINER functions and
 * health probes; RLS still hides tenant rows from it) and batched transactions of those. No
 * interactive `$transaction(fn)`: its callback would get the whole client. Tenant work: `withOrg`.
 */
export type SystemDb = Pick<PrismaClient, GlobalModel | "$queryRaw" | "$executeRaw"> & {
  $transaction<P extends Prisma.PrismaPromise<unknown>[]>(operations: [...P]): Promise<{ [K in keyof P]: Awaited<P[K]> }>;
};

/** Orgless audit rows (failed logins of unknown addresses): insert-only for the app role, see audit.server.ts. */
export type SystemAuditLog = Pick<PrismaClient["auditLog"], "createMany">;

interface DbState {
  client: PrismaClient;
  system: SystemDb;
  pool: PrismaPg;
  migrationCount: number;
  /** For raw `pg` access (app/server/db/pg-pool.server.ts); same role, so RLS applies. */
  appUrl: string;
}

export function connectDatabase(appUrl: string, migrationCount: number): PrismaClient {
  // Idle connections close after 5 s: each is a PostgreSQL process (~15 MB), and an idle
  // control panel should not hold a dozen of them (docs/benchmarks.md, startup memory).
  const adapter = new PrismaPg({ connectionString: appUrl, max: 20, connectionTimeoutMillis: 5000, idleTimeoutMillis: 5000 });
  const client = new PrismaClient({ adapter });
  setSingleton<DbState>("db", { client, system: narrowToGlobal(client), pool: adapter, migrationCount, appUrl });
  return client;
}

/** The same client seen through SystemDb, at run time too: a cast to reach a tenant model finds nothing there. */
function narrowToGlobal(client: PrismaClient): SystemDb {
  const system: Record<string, unknown> = {
    $queryRaw: client.$queryRaw.bind(client),
    $executeRaw: client.$executeRaw.bind(client),
    $transaction: (operations: Prisma.PrismaPromise<unknown>[]) => {
      if (!Array.isArray(operations)) throw new Error("systemDb().$transaction takes a batch of operations; tenant work goes through withOrg");
      return client.$transaction(operations);
    },
  };
  for (const model of GLOBAL_MODELS) system[model] = client[model];
  return system as unknown as SystemDb;
}

function state(): DbState {
  const s = getSingleton<DbState>("db");
  if (!s) throw new ServiceUnavailableError("The database is not connected yet.", "database_unavailable");
  return s;
}

/** The global models only (GLOBAL_MODELS); a tenant model is a compile error here. */
export function systemDb(): SystemDb {
  return state().system;
}

/** The one tenant table the app writes to without an organization: orgless audit rows. */
export function systemAuditLog(): SystemAuditLog {
  return state().client.auditLog;
}

/**
 * The platform operator's transactions (app.platform = 'operator', transaction-local): only
 * app/server/platform/platform-db.server.ts calls it, behind requirePlatformAdmin (decision 096).
 */
export async function withPlatformSetting<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
  return state().client.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT set_config('app.platform', 'operator', true)`;
      return fn(tx);
    },
    { timeout: 15_000, maxWait: 5_000 },
  );
}

/** Runs `fn` in one transaction with app.org_id set; RLS hides every other organization's rows. */
export async function withOrg<T>(orgId: string, fn: (tx: Tx) => Promise<T>, options?: { timeout?: number }): Promise<T> {
  if (!orgId) throw new Error("withOrg needs an organization id");
  return state().client.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT set_config('app.org_id', ${orgId}, true)`;
      return fn(tx);
    },
    { timeout: options?.timeout ?? 15_000, maxWait: 5_000 },
  );
}

/** Where startup.server.ts keeps the embedded PostgreSQL's supervision state (absent with DATABASE_URL). */
export const EMBEDDED_STATE_KEY = "db:embedded-state";

/** /readyz: the database answers and every migration this build knows is applied. */
export async function databaseReady(): Promise<{ ok: boolean; reason?: string; database?: string }> {
  const embedded = getSingleton<EmbeddedDatabaseState>(EMBEDDED_STATE_KEY);
  if (embedded && embedded.state !== "running") {
    const database = describeEmbeddedState(embedded);
    return { ok: false, reason: `embedded database ${database}`, database };
  }
  const s = getSingleton<DbState>("db");
  if (!s) return { ok: false, reason: "database not connected" };
  try {
    const rows = await s.client.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
    const applied = Number(rows[0]?.n ?? 0);
    if (applied < s.migrationCount) return { ok: false, reason: `migrations pending (${applied}/${s.migrationCount})` };
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: `database unreachable: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}` };
  }
}

export async function disconnectDatabase(): Promise<void> {
  const s = getSingleton<DbState>("db");
  if (s) await s.client.$disconnect();
  setSingleton("db", undefined);
}
