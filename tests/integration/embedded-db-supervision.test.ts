// The single-container install surviving a dead embedded PostgreSQL: the real server, started
// without DATABASE_URL (so it runs its own PostgreSQL), restarts the database by itself when its
// postmaster is killed, says so on /readyz, and stores every line a container printed meanwhile
// exactly once; when the database keeps failing to come back, the server exits non-zero so that a
// supervisor (Docker's restart policy, systemd) takes over.
import { afterAll, describe, expect, inject, test } from "vitest";
import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { docker, removeTestContainers } from "../setup/docker";
import { runContainer } from "../setup/containers";
import { setUpServer, startServer, type TestServer } from "../setup/server";

const RUN_ID = `pgsup-${process.pid}-${Date.now().toString(36)}`;
const dockerHost = inject("dockerHost");
const servers: TestServer[] = [];

afterAll(async () => {
  // SIGTERM: the server stops its embedded PostgreSQL (a SIGKILL would orphan it).
  for (const s of servers) await s.stop();
  await removeTestContainers(dockerHost, RUN_ID);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The embedded cluster's postmaster pid and port, from its postmaster.pid. */
function postmaster(server: TestServer): { pid: number; port: number } {
  const lines = readFileSync(join(server.dataDir, "postgres", "postmaster.pid"), "utf8").split("\n");
  return { pid: Number(lines[0]), port: Number(lines[3]) };
}

/** A superuser connection to the server's embedded database (row-level security does not apply). */
async function query<T extends pg.QueryResultRow>(server: TestServer, sql: string, params: unknown[] = []): Promise<T[]> {
  const password = readFileSync(join(server.dataDir, "postgres.password"), "utf8").trim();
  const client = new pg.Client({ host: "127.0.0.1", port: postmaster(server).port, user: "postgres", password, database: "infrapilot" });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not in time (${String(last)})`);
    await sleep(200);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("embedded PostgreSQL supervision", () => {
  test("refuses to stay down after its postmaster is killed: restarts it, says so on /readyz, and stores every line of a running container exactly once", async () => {
    const server = await startServer({ database: false, env: { DOCKER_HOST: dockerHost, LOGS_PERSIST: "true" } });
    servers.push(server);
    await setUpServer(server);
    const marker = `seq-${RUN_ID}`;
    const total = 300;
    const containerId = await runContainer(dockerHost, RUN_ID, `${RUN_ID}-counter`, ["sh", "-c", `i=1; while [ $i -le ${total} ]; do echo "${marker} $i"; i=$((i+1)); sleep 0.02; done`]);
    const stored = async () => Number((await query<{ n: string }>(server, `SELECT count(*) AS n FROM "LogLine" WHERE message LIKE $1`, [`${marker} %`]))[0]!.n);
    // Kill it while the container writes and the collector stores.
    await eventually("first lines stored", async () => ((await stored()) >= 10 ? true : undefined));
    const before = postmaster(server);
    process.kill(before.pid, "SIGKILL");

    const answers: { status: number; body: { database?: string } }[] = [];
    await eventually("ready again", async () => {
      const res = await fetch(`${server.url}/readyz`);
      answers.push({ status: res.status, body: (await res.json()) as { database?: string } });
      return res.status === 200 ? true : undefined;
    });
    expect(answers.some((a) => a.status === 503 && a.body.database === "restarting (attempt 1)")).toBe(true);
    expect(postmaster(server).pid).not.toBe(before.pid);
    expect(server.output()).toMatch(/embedded PostgreSQL exited unexpectedly \(signal SIGKILL\); restarting \(attempt 1\)/);

    expect((await docker(dockerHost, ["wait", containerId])).trim()).toBe("0");
    await eventually("every line stored", async () => ((await stored()) >= total ? true : undefined));
    const rows = await query<{ message: string }>(server, `SELECT message FROM "LogLine" WHERE message LIKE $1`, [`${marker} %`]);
    const numbers = rows.map((r) => Number(r.message.slice(marker.length + 1))).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(await server.stop()).toBe(0);
  });

  test("refuses to answer 503 forever: when the database keeps failing to restart, the server exits non-zero", async () => {
    const server = await startServer({ database: false, env: { LOGS_PERSIST: "false" } });
    servers.push(server);
    // From now on PostgreSQL refuses to start: every restart fails.
    appendFileSync(join(server.dataDir, "postgres", "postgresql.conf"), "\ninfrapilot_not_a_setting = on\n");
    process.kill(postmaster(server).pid, "SIGKILL");
    await eventually("server exited", async () => (alive(server.pid) ? undefined : true), 90_000);
    const code = await server.stop();
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(server.output()).toMatch(/restarting \(attempt 5\)/);
    expect(server.output()).toMatch(/InfraPilot is exiting: The embedded PostgreSQL in .* failed 6 times within 5 minutes .*giving up/);
  }, 120_000);
});
