// Where the project's files are, whether this code runs from source (tsx, vitest) or from a
// bundle in build/ (npm start): walk up to the folder that holds prisma/migrations.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

export function projectRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "prisma", "migrations"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("Cannot find the project folder (prisma/migrations) above " + fileURLToPath(import.meta.url));
    dir = parent;
  }
  root = dir;
  return dir;
}
