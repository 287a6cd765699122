#!/usr/bin/env node
// Bundles server.ts into build/server.js for production: plain JavaScript starts faster and uses
// ~30 MB less memory than running the TypeScript through tsx (docs/benchmarks.md).
// Dependencies stay external (node_modules); only our own code is bundled.
import { build } from "esbuild";

await build({
  entryPoints: ["server.ts"],
  outfile: "build/server.js",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
  tsconfig: "tsconfig.json",
});
