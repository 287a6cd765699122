// The background job runner's guarantees, against real PostgreSQL: a job under an advisory lock
// runs on one replica at a time (another process asking for the same lock skips its run), the lock
// is released when a job fails, and the session clean-up job removes exactly the sessions that
// are past their idle or absolute expiry.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { setupTestDb, type TestDb } from "../setup/db";
import { withJobLock } from "~/server/jobs.server";
import { deleteExpiredSessions } from "~/server/auth/session.server";

let db: TestDb;

beforeAll(async () => {
  db = await setupTestDb();
});
afterAll(async () => {
  await db?.close();
});

describe("advisory-locked jobs", () => {
  test("while one run holds the lock, a second run of the same job (here from another connection, as another replica would) is skipped; another job's lock is free", async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const runs: string[] = [];
    const first = withJobLock(7_999_001, async () => {
      runs.push("first");
      entered();
      await held;
    });
    await inside;

    // Another replica: a separate connection of the app role asks for the same lock.
    const replica = new pg.Client({ connectionString: db.appUrl });
    await replica.connect();
    try {
      const { rows } = await replica.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [7_999_001]);
      expect(rows[0]!.locked).toBe(false);
    } finally {
      await replica.end();
    }
    // And this process's own second attempt is skipped without running.
    expect(await withJobLock(7_999_001, async () => void runs.push("second"))).toBe(false);
    // A different job is not held up.
    expect(await withJobLock(7_999_002, async () => void runs.push("other"))).toBe(true);

    release();
    expect(await first).toBe(true);
    // Once the first run ended, the next one runs.
    expect(await withJobLock(7_999_001, async () => void runs.push("third"))).toBe(true);
    expect(runs).toEqual(["first", "other", "third"]);
  });

  test("a job that fails releases its lock, so the next run is not skipped forever", async () => {
    await expect(withJobLock(7_999_003, async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    let ran = false;
    expect(await withJobLock(7_999_003, async () => void (ran = true))).toBe(true);
    expect(ran).toBe(true);
  });
});

describe("expired-session clean-up", () => {
  test("removes sessions past their idle or absolute expiry and keeps live ones", async () => {
    const userId = randomUUID();
    const orgId = randomUUID();
    await db.admin.query(`INSERT INTO "User" (id, email, name) VALUES ($1, $2, 'Sessions')`, [userId, `sessions-${userId}@example.com`]);
    const insert = (id: string, idle: string, absolute: string) =>
      db.admin.query(`INSERT INTO "Session" (id, "userId", "orgId", "expiresAt", "absoluteExpiresAt") VALUES ($1, $2, $3, now() + $4::interval, now() + $5::interval)`, [id, userId, orgId, idle, absolute]);
    await insert("live", "1 day", "20 days");
    await insert("idle-expired", "-1 minute", "20 days");
    await insert("absolute-expired", "1 day", "-1 minute");

    await deleteExpiredSessions();

    const { rows } = await db.admin.query<{ id: string }>(`SELECT id FROM "Session" WHERE "userId" = $1 ORDER BY id`, [userId]);
    expect(rows.map((r) => r.id)).toEqual(["live"]);
  });
});
