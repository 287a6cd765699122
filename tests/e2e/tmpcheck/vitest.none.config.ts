import { defineConfig } from "vitest/config";
export default defineConfig({ test: { include: ["tests/e2e/tmpcheck/*.test.ts"],   pool: "forks" } });
