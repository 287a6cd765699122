import { defineConfig } from "vitest/config";
export default defineConfig({ test: { include: ["tests/e2e/tmpcheck/*.test.ts"], globalSetup: ["tests/setup/global-setup.ts"],  pool: "forks" } });
