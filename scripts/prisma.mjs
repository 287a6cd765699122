#!/usr/bin/env node
// Runs the Prisma CLI without engine downloads (see docs/decisions/002-prisma-without-engines.md):
// the engines' host is unreachable here, so we point Prisma at dummy engine files and let the
// CLI use the WebAssembly schema engine through the pg driver adapter (prisma.config.ts).
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dummyDir = join(root, "node_modules", ".cache", "prisma-dummy-engines");
mkdirSync(dummyDir, { recursive: true });
const dummy = join(dummyDir, "engine");
if (!existsSync(dummy)) writeFileSync(dummy, "");

const result = spawnSync(
  process.execPath,
  [join(root, "node_modules", "prisma", "build", "index.js"), ...process.argv.slice(2)],
  {
    stdio: "inherit",
    cwd: root,
    env: {
      ...process.env,
      PRISMA_QUERY_ENGINE_LIBRARY: dummy,
      PRISMA_SCHEMA_ENGINE_BINARY: dummy,
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
      CHECKPOINT_DISABLE: "1",
      // The schema names env("DATABASE_URL"); commands that connect (diff, deploy) go through
      // prisma.config.ts, which has its own default; generate never connects.
      DATABASE_URL: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres",
    },
  },
);
process.exit(result.status ?? 1);
