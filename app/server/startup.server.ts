// Bringing the database up (embedded or external) and down, for server.ts and the tests.
import { env } from "./env.server";
import { logger } from "./logger.server";
import { encryptionKey } from "./crypto.server";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "./db/embedded.server";
import { assertAppRoleIsConfined, bootstrapDatabase } from "./db/bootstrap.server";
import { connectDatabase, disconnectDatabase, EMBEDDED_STATE_KEY } from "./db/client.server";
import { closeAppPool } from "./db/pg-pool.server";
import { describeEmbeddedState, type EmbeddedDatabaseState } from "./db/restart-policy";
import { setSingleton } from "./singleton.server";

let embedded: EmbeddedDatabase | undefined;

export interface StartDatabaseOptions {
  /** The embedded PostgreSQL kept dying: the process should end non-zero (server.ts shuts down). */
  onFatal?(message: string): void;
}

export async function startDatabase(options: StartDatabaseOptions = {}): Promise<void> {
  const e = env();
  encryptionKey(); // fail early when the key file is unreadable or malformed
  let adminUrl = e.DATABASE_URL;
  if (!adminUrl) {
    const started = Date.now();
    setSingleton<EmbeddedDatabaseState>(EMBEDDED_STATE_KEY, { state: "running" });
    embedded = await startEmbeddedPostgres(e.DATA_DIR, (m) => logger.debug("postgres", { m: m.trim() }), {
      onState(state, detail) {
        setSingleton(EMBEDDED_STATE_KEY, state);
        if (state.state === "running") logger.info(detail);
        else if (state.state === "restarting") logger.warn(detail, { database: describeEmbeddedState(state) });
        else logger.error(detail);
      },
      onGiveUp: (message) => options.onFatal?.(message),
    });
    adminUrl = embedded.adminUrl;
    logger.info("embedded PostgreSQL started", { dataDir: e.DATA_DIR, ms: Date.now() - started });
  }
  const urls = await bootstrapDatabase({ adminUrl, appUrl: e.DATABASE_APP_URL, dataDir: e.DATA_DIR });
  await assertAppRoleIsConfined(urls.appUrl);
  connectDatabase(urls.appUrl, urls.migrationCount);
}

export async function stopDatabase(): Promise<void> {
  await closeAppPool();
  await disconnectDatabase();
  if (embedded) {
    await embedded.stop();
    embedded = undefined;
  }
}
