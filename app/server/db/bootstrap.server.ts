// Prepares the database before the app uses it: migrations as the owner, then the unprivileged
// application role that row-level security applies to (docs/decisions/001-tenancy-rls.md).
import pg from "pg";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomToken } from "../crypto.server";
import { applyMigrations, readMigrations } from "./migrate.server";

export interface DatabaseUrls {
  /** Owner/admin connection: migrations and role management only. */
  adminUrl: string;
  /** What the app uses for every query. */
  appUrl: string;
  migrationCount: number;
}

/** A role name derived from the database name, so several installs can share one server. */
export function appRoleName(database: string): string {
  return `${database.toLowerCase().replace(/[^a-z0-9_]/g, "_").slice(0, 50)}_app`;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export async function bootstrapDatabase(options: { adminUrl: string; appUrl?: string; dataDir: string }): Promise<DatabaseUrls> {
  const migrations = readMigrations();
  const admin = new pg.Client({ connectionString: options.adminUrl });
  await admin.connect();
  try {
    await applyMigrations(admin, migrations);
    const appUrl = options.appUrl ?? (await ensureAppRole(admin, options.adminUrl, options.dataDir));
    return { adminUrl: options.adminUrl, appUrl, migrationCount: migrations.length };
  } finally {
    await admin.end();
  }
}

async function ensureAppRole(admin: pg.Client, adminUrl: string, dataDir: string): Promise<string> {
  const url = new URL(adminUrl);
  const database = decodeURIComponent(url.pathname.slice(1)) || "postgres";
  const role = appRoleName(database);
  const passwordFile = join(dataDir, "db-app.password");
  mkdirSync(dataDir, { recursive: true });
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomToken(24).replace(/[^A-Za-z0-9]/g, "x"), { mode: 0o600 });
  const password = readFileSync(passwordFile, "utf8").trim();
  const r = quoteIdent(role);
  try {
    await admin.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${pg.escapeLiteral(role)}) THEN
        CREATE ROLE ${r} LOGIN;
      END IF;
    END $$`);
  } catch (error) {
    // Two processes may race to create the same role; the loser sees a unique violation.
    if ((error as { code?: string }).code !== "23505") throw error;
  }
  await admin.query(`ALTER ROLE ${r} WITH LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD ${pg.escapeLiteral(password)}`);
  await admin.query(`GRANT CONNECT ON DATABASE ${quoteIdent(database)} TO ${r}`);
  await admin.query(`GRANT USAGE ON SCHEMA public TO ${r}`);
  await admin.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${r}`);
  await admin.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${r}`);
  await admin.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO ${r}`);
  await admin.query(`REVOKE INSERT, UPDATE, DELETE ON "_prisma_migrations" FROM ${r}`);
  // The audit trail is append-only for the app (docs/decisions/110): rows leave it only through
  // audit_apply_retention(), a definer function, or with their organization.
  await admin.query(`REVOKE UPDATE, DELETE, TRUNCATE ON "AuditLog", "AuditCheckpoint" FROM ${r}`);
  url.username = role;
  url.password = password;
  return url.toString();
}

/** Refuses to run when the app role could see past row-level security. */
export async function assertAppRoleIsConfined(appUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: appUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ rolsuper: boolean; rolbypassrls: boolean; owned: string }>(
      `SELECT r.rolsuper, r.rolbypassrls,
              (SELECT count(*) FROM pg_tables t WHERE t.schemaname = 'public' AND t.tableowner = current_user) AS owned
         FROM pg_roles r WHERE r.rolname = current_user`,
    );
    const row = rows[0];
    const problems = [
      row?.rolsuper && "is a superuser",
      row?.rolbypassrls && "has BYPASSRLS",
      Number(row?.owned) > 0 && "owns tables",
    ].filter(Boolean);
    if (problems.length > 0) {
      throw new Error(`Refusing to start: the application database role ${problems.join(", ")}, so row-level security would not confine it. Use a role that is neither superuser nor table owner (DATABASE_APP_URL).`);
    }
  } finally {
    await client.end();
  }
}
