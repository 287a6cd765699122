// Writes prisma/migrations/<timestamp>_<name>/migration.sql from the difference between the schema
// at the last migration (prisma/migrations/schema.snapshot.prisma) and prisma/schema.prisma.
// `prisma migrate dev` cannot run here (docs/decisions/002); this diff works offline.
// Usage: npm run migration:new -- <name>
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const name = (process.argv[2] ?? "").toLowerCase().replace(/[^a-z0-9_]+/g, "_");
if (!name) {
  console.error("usage: npm run migration:new -- <name>");
  process.exit(2);
}
const root = new URL("..", import.meta.url).pathname;
const snapshot = join(root, "prisma/migrations/schema.snapshot.prisma");
const from = existsSync(snapshot) ? ["--from-schema-datamodel", snapshot] : ["--from-empty"];
const result = spawnSync(
  process.execPath,
  [join(root, "scripts/prisma.mjs"), "migrate", "diff", ...from, "--to-schema-datamodel", "prisma/schema.prisma", "--script"],
  { cwd: root, encoding: "utf8" },
);
if (result.status !== 0) {
  process.stderr.write(result.stderr || result.stdout);
  process.exit(result.status ?? 1);
}
const sql = result.stdout.split("\n").filter((l) => !l.startsWith("Loaded Prisma config")).join("\n").trim();
if (!sql || /^-- This is an empty migration/.test(sql)) {
  console.log("The schema has not changed since the last migration; nothing written.");
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const dir = join(root, "prisma/migrations", `${stamp}_${name}`);
mkdirSync(dir, { recursive: true });
writeFileSync(
  join(dir, "migration.sql"),
  `${sql}\n\n-- New tenant-owned tables need row-level security here (see the init migration).\n`,
);
copyFileSync(join(root, "prisma/schema.prisma"), snapshot);
console.log(`Wrote ${dir}/migration.sql. Review it, add RLS policies for tenant tables, and commit it.`);
