// In-process database access for domain-level tests: a fresh database, migrated, with the app
// role bootstrapped exactly as server.ts does it.
import { inject } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { bootstrapDatabase } from "~/server/db/bootstrap.server";
import { connectDatabase, disconnectDatabase } from "~/server/db/client.server";
import { createTestDatabase } from "./postgres";
import { randomBytes } from "node:crypto";
import { setSingleton } from "~/server/singleton.server";

export interface TestDb {
  adminUrl: string;
  appUrl: string;
  /** A superuser client, for assertions the app itself may not make. */
  admin: pg.Client;
  close(): Promise<void>;
}

export async function setupTestDb(): Promise<TestDb> {
  const adminUrl = await createTestDatabase(inject("postgresUrl"));
  const dataDir = mkdtempSync(join(tmpdir(), "infrapilot-test-data-"));
  const urls = await bootstrapDatabase({ adminUrl, dataDir });
  // Secrets at rest in domain tests are sealed with a throwaway key, never one in the repo's ./data.
  setSingleton("encryptionKey", randomBytes(32));
  connectDatabase(urls.appUrl, urls.migrationCount);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  return {
    adminUrl,
    appUrl: urls.appUrl,
    admin,
    close: async () => {
      await disconnectDatabase();
      await admin.end();
    },
  };
}
