// Prisma CLI configuration: the CLI talks to Postgres through the pg driver adapter and the
// WebAssembly schema engine, because engine binaries cannot be downloaded (docs/decisions/002).
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  async adapter() {
    const url = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
    return new PrismaPg({ connectionString: url });
  },
});
