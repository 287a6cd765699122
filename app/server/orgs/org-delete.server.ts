// Deleting an organization removes every row that carries its id and every file it owns under
// DATA_DIR (docs/decisions/092). The tables are found from the catalog, not listed by hand, so a
// table added later is covered without anyone remembering this module; they are emptied children
// first (foreign keys between tenant tables), the Organization row last.
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { withOrg, type Tx } from "../db/client.server";
import { env } from "../env.server";
import { logger } from "../logger.server";

/** Every table of the public schema with an "orgId" column (partitioned parents, not their partitions). */
export async function tablesWithOrgId(tx: Tx): Promise<string[]> {
  const rows = await tx.$queryRaw<{ table: string }[]>`
    SELECT c.relname AS "table"
      FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND a.attname = 'orgId' AND NOT a.attisdropped
       AND c.relkind IN ('r', 'p') AND NOT c.relispartition`;
  return rows.map((r) => r.table);
}

/** Pure: orders tables so that each comes before every table it references (children first). */
export function childrenFirst(tables: string[], references: { from: string; to: string }[]): string[] {
  const set = new Set(tables);
  const edges = references.filter((r) => set.has(r.from) && set.has(r.to) && r.from !== r.to);
  const ordered: string[] = [];
  const done = new Set<string>();
  const visiting = new Set<string>();
  const visit = (t: string) => {
    if (done.has(t) || visiting.has(t)) return;
    visiting.add(t);
    // Everything that references t must be emptied before t.
    for (const e of edges) if (e.to === t) visit(e.from);
    visiting.delete(t);
    done.add(t);
    ordered.push(t);
  };
  for (const t of [...tables].sort()) visit(t);
  return ordered;
}

async function foreignKeys(tx: Tx): Promise<{ from: string; to: string }[]> {
  return tx.$queryRaw<{ from: string; to: string }[]>`
    SELECT src.relname AS "from", dst.relname AS "to"
      FROM pg_constraint k
      JOIN pg_class src ON src.oid = k.conrelid
      JOIN pg_class dst ON dst.oid = k.confrelid
      JOIN pg_namespace n ON n.oid = src.relnamespace
     WHERE k.contype = 'f' AND n.nspname = 'public'`;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Tables the app role may not DELETE from (the audit trail), each of which must cascade from Organization. */
async function appendOnlyTables(tx: Tx): Promise<Set<string>> {
  const rows = await tx.$queryRaw<{ table: string; cascades: boolean }[]>`
    SELECT c.relname AS "table",
           EXISTS (SELECT 1 FROM pg_constraint k JOIN pg_class o ON o.oid = k.confrelid
                    WHERE k.conrelid = c.oid AND k.contype = 'f' AND o.relname = 'Organization' AND k.confdeltype = 'c') AS cascades
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
       AND NOT has_table_privilege(current_user, c.oid, 'DELETE')`;
  for (const r of rows) {
    if (!r.cascades && r.table !== "_prisma_migrations") throw new Error(`${r.table} is append-only for the app but does not cascade from Organization`);
  }
  return new Set(rows.map((r) => r.table));
}

/** Deletes every row of the organization in one transaction; returns rows removed per table. */
export async function deleteOrgRows(orgId: string): Promise<Record<string, number>> {
  return withOrg(
    orgId,
    async (tx) => {
      const tables = await tablesWithOrgId(tx);
      const order = childrenFirst(tables, await foreignKeys(tx));
      const removed: Record<string, number> = {};
      const appendOnly = await appendOnlyTables(tx);
      for (const table of order) {
        // Names come from the catalog; checked anyway before they are quoted into SQL.
        if (!IDENT.test(table)) throw new Error(`unexpected table name ${table}`);
        if (appendOnly.has(table)) {
          // The audit trail is append-only for the app (decision 110): its rows go with the
          // Organization row through their ON DELETE CASCADE foreign key.
          const [{ n }] = await tx.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM "${table}" WHERE "orgId" = $1`, orgId);
          removed[table] = Number(n);
          continue;
        }
        removed[table] = await tx.$executeRawUnsafe(`DELETE FROM "${table}" WHERE "orgId" = $1`, orgId);
      }
      removed.Organization = await tx.$executeRaw`DELETE FROM "Organization" WHERE "id" = ${orgId}`;
      return removed;
    },
    { timeout: 120_000 },
  );
}

/**
 * Files of the organization under DATA_DIR: anything whose name carries its id (proxy-log offsets,
 * per-organization trees). The embedded PostgreSQL's directory is never walked.
 */
export async function deleteOrgFiles(orgId: string): Promise<string[]> {
  const root = env().DATA_DIR;
  const removed: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.name.includes(orgId)) {
        await rm(path, { recursive: true, force: true });
        removed.push(path);
      } else if (entry.isDirectory() && depth < 4 && !(depth === 0 && /^(postgres|pgdata|db)/.test(entry.name))) {
        await walk(path, depth + 1);
      }
    }
  };
  await walk(root, 0);
  if (removed.length) logger.info("organization files removed", { orgId, removed });
  return removed;
}
