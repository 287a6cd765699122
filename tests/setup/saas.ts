// SaaS test helpers: an organization with a logged-in owner made in SQL (as the tenancy tests do;
// sign-up is another feature's), and the standalone agent (agent/main.ts) run as its own process.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { hashPassword } from "~/server/auth/password.server";
import { Client, type TestServer } from "./server";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** A new organization with a `super_admin` owner, logged in. */
export async function saasOwnerClient(server: TestServer, label = "acme"): Promise<{ client: Client; orgId: string; email: string }> {
  const db = new pg.Client({ connectionString: server.databaseUrl });
  await db.connect();
  const orgId = randomUUID();
  const userId = randomUUID();
  const email = `owner-${orgId.slice(0, 8)}@example.com`;
  const password = "a long enough test password";
  try {
    // On the Business plan: these tests enroll several agents (plan limits have their own tests).
    await db.query(`INSERT INTO "Organization" (id, name, slug, plan) VALUES ($1, $2, $3, 'business')`, [orgId, label, `${label}-${orgId.slice(0, 8)}`]);
    await db.query(`INSERT INTO "User" (id, email, name, "passwordHash") VALUES ($1, $2, 'Owner', $3)`, [userId, email, await hashPassword(password)]);
    await db.query(`INSERT INTO "Membership" (id, "orgId", "userId", role) VALUES ($1, $2, $3, 'super_admin')`, [randomUUID(), orgId, userId]);
  } finally {
    await db.end();
  }
  const client = new Client(server.url);
  const login = await client.post("/api/v1/auth/login", { email, password });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${await login.text()}`);
  return { client, orgId, email };
}

export interface AgentProcess {
  child: ChildProcess;
  dataDir: string;
  output: () => string;
  /** Resolves with the exit code once the process ended. */
  exited: Promise<number | null>;
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs the real standalone agent (`tsx agent/main.ts`) against `serverUrl`. */
export function startAgent(options: { serverUrl: string; token?: string; dockerHost: string; dataDir?: string; name?: string; env?: Record<string, string> }): AgentProcess {
  const dataDir = options.dataDir ?? join(mkdtempSync(join(tmpdir(), "infrapilot-agent-")), "data");
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "agent/main.ts")], {
    cwd: ROOT,
    env: {
      NODE_ENV: "production",
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AGENT_SERVER_URL: options.serverUrl,
      AGENT_DATA_DIR: dataDir,
      DOCKER_HOST: options.dockerHost,
      AGENT_BACKOFF_BASE_MS: "200",
      AGENT_BACKOFF_MAX_MS: "2000",
      ...(options.token ? { AGENT_TOKEN: options.token } : {}),
      ...(options.name ? { AGENT_NAME: options.name } : {}),
      ...options.env,
    } as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    output += d;
    for (const l of listeners) l();
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    dataDir,
    output: () => output,
    exited,
    waitForLog(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(output)) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`agent log did not match ${pattern} within ${timeoutMs} ms:\n${output}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
