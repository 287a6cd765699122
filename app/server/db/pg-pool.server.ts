// A plain `pg` pool on the application role, for what Prisma does badly: bulk inserts of log
// batches (unnest arrays), raw SQL on raw-SQL tables (partitioned "LogLine"). Same role and URL
// as the Prisma client, so row-level security confines it exactly the same way, provided callers
// go through `withOrgClient`, which sets app.org_id for one transaction.
import pg from "pg";
import { ServiceUnavailableError } from "../errors.server";
import { getSingleton } from "../singleton.server";

export type Queryable = Pick<pg.Pool, "query" | "connect">;

interface PoolState {
  url: string;
  pool: pg.Pool;
}

export function createAppPool(url: string, max = 6): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 5_000, allowExitOnIdle: true });
  // A dropped idle connection (database restart) must not crash the process; the next query
  // gets a fresh connection.
  pool.on("error", () => {});
  return pool;
}

/** The process-wide pool on the URL `connectDatabase` was given (re-created if that changes). */
export function appPool(): pg.Pool {
  const url = getSingleton<{ appUrl?: string }>("db")?.appUrl;
  if (!url) throw new ServiceUnavailableError("The database is not connected yet.", "database_unavailable");
  const store = globalThis as unknown as { __infrapilotPgPool?: PoolState };
  const current = store.__infrapilotPgPool;
  if (current && current.url === url) return current.pool;
  if (current) void current.pool.end().catch(() => {});
  const pool = createAppPool(url);
  store.__infrapilotPgPool = { url, pool };
  return pool;
}

export async function closeAppPool(): Promise<void> {
  const store = globalThis as unknown as { __infrapilotPgPool?: PoolState };
  const current = store.__infrapilotPgPool;
  store.__infrapilotPgPool = undefined;
  if (current) await current.pool.end();
}

/** One transaction with app.org_id set (like `withOrg`), on a raw pg client. */
export async function withOrgClient<T>(orgId: string, fn: (client: pg.PoolClient) => Promise<T>, pool: Queryable = appPool()): Promise<T> {
  if (!orgId) throw new Error("withOrgClient needs an organization id");
  const client = await pool.connect();
  let broken = false;
  // The connection dying between statements (database restart) is reported through the query
  // that follows; without a listener the 'error' event would crash the process.
  const onError = () => (broken = true);
  client.on("error", onError);
  try {
    await client.query("BEGIN");
    await client.query("SELECT set_config('app.org_id', $1, true)", [orgId]);
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    try {
      await client.query("ROLLBACK");
    } catch {
      broken = true;
    }
    throw error;
  } finally {
    // A connection that could not roll back is not handed to the next caller.
    client.off("error", onError);
    client.release(broken ? true : undefined);
  }
}
