#!/usr/bin/env node
// `npm start`: runs server.ts in production mode. Builds first when no build exists, so
// `npm install && npm start` works on a bare machine.
import { spawnSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
if (!existsSync(join(root, "build", "server.js")) || !existsSync(join(root, "build", "server", "index.js"))) {
  console.log("No build yet: running `npm run build` once…");
  const built = spawnSync(npm, ["run", "build"], { cwd: root, stdio: "inherit" });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
const child = spawn(process.execPath, ["--enable-source-maps", join(root, "build", "server.js")], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, NODE_ENV: "production" },
});
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
