// Helpers for the container tests: labelled busybox containers on the test engine, users of a
// given role, /ui sockets with acknowledgements, and a private dockerd that a test may stop.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { io, type Socket } from "socket.io-client";
import { docker, engineAnswers, TEST_IMAGE, TEST_LABEL } from "./docker";
import { memberClient, type Client, type TestServer } from "./server";

/** A shell loop that exits at once on SIGTERM (busybox `sleep` as PID 1 would wait 10 s). */
export const IDLE = ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"];

export async function runContainer(dockerHost: string, runId: string, name: string, command: string[] = IDLE, flags: string[] = []): Promise<string> {
  return (await docker(dockerHost, ["run", "-d", "--name", name, "--label", `${TEST_LABEL}=${runId}`, ...flags, TEST_IMAGE, ...command])).trim();
}

export async function userClient(server: TestServer, admin: Client, role: "viewer" | "operator" | "admin", email: string): Promise<Client> {
  return (await memberClient(server, admin, { email, role })).client;
}

export async function localAgentId(client: Client): Promise<string> {
  const res = await client.request("/api/v1/agents");
  const body = (await res.json()) as { items: { id: string; name: string }[] };
  const local = body.items.find((a) => a.name === "local");
  if (!local) throw new Error(`no local agent in ${JSON.stringify(body)}`);
  return local.id;
}

export type AckResult = { ok: true; [key: string]: unknown } | { ok: false; error: { code: string; message: string } };

export interface UiClient {
  socket: Socket;
  /** Every event received so far, in order. */
  events: { event: string; payload: unknown }[];
  ack(event: string, payload: unknown): Promise<AckResult>;
  /** The first `event` at index `from` or later that satisfies `predicate`. */
  waitFor<T = unknown>(event: string, predicate?: (payload: T) => boolean, timeoutMs?: number, from?: number): Promise<T>;
  close(): void;
}

export function connectUi(server: TestServer, client: Client): Promise<UiClient> {
  return new Promise((resolve, reject) => {
    const socket = io(`${server.url}/ui`, { transports: ["websocket"], extraHeaders: { cookie: client.cookieHeader(), origin: server.url }, reconnection: false });
    const events: UiClient["events"] = [];
    const waiters = new Set<() => void>();
    socket.onAny((event: string, payload: unknown) => {
      events.push({ event, payload });
      for (const w of [...waiters]) w();
    });
    const ui: UiClient = {
      socket,
      events,
      ack: (event, payload) => socket.timeout(15_000).emitWithAck(event, payload) as Promise<AckResult>,
      waitFor<T>(event: string, predicate: (payload: T) => boolean = () => true, timeoutMs = 15_000, from = 0) {
        return new Promise<T>((res, rej) => {
          let seen = from;
          const check = () => {
            for (; seen < events.length; seen++) {
              const e = events[seen];
              if (e.event === event && predicate(e.payload as T)) {
                waiters.delete(check);
                clearTimeout(timer);
                return res(e.payload as T);
              }
            }
          };
          const timer = setTimeout(() => {
            waiters.delete(check);
            rej(new Error(`timed out waiting for ${event}; got ${events.map((e) => e.event).join(", ")}`));
          }, timeoutMs);
          waiters.add(check);
          check();
        });
      },
      close: () => socket.close(),
    };
    socket.on("hello", () => resolve(ui));
    socket.on("connect_error", (error) => reject(error));
  });
}

/** Collects terminal output of one session until `pattern` matches. */
export async function terminalText(ui: UiClient, sessionId: string, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  const text = () =>
    ui.events
      .filter((e) => e.event === "terminal:output" && (e.payload as { sessionId: string }).sessionId === sessionId)
      .map((e) => (e.payload as { data: string }).data)
      .join("");
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(text())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern} in ${JSON.stringify(text())}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return text();
}

/**
 * A second, private dockerd just for one test (the flags of scripts/docker-test-env.sh, its own
 * data/exec roots, socket and pid file), so the test may stop it without touching the shared one.
 */
export class PrivateDockerd {
  readonly dir = mkdtempSync(join(tmpdir(), "ipd-"));
  readonly dockerHost = `unix://${join(this.dir, "d.sock")}`;
  private child: ChildProcess | null = null;

  async start(): Promise<void> {
    const log = openSync(join(this.dir, "dockerd.log"), "a");
    this.child = spawn(
      "dockerd",
      [
        "--host", this.dockerHost,
        "--data-root", join(this.dir, "data"),
        "--exec-root", join(this.dir, "exec"),
        "--pidfile", join(this.dir, "dockerd.pid"),
        "--iptables=false", "--ip6tables=false", "--bridge=none",
        "--storage-driver=vfs",
      ],
      { stdio: ["ignore", log, log] },
    );
    const deadline = Date.now() + 60_000;
    while (!(await engineAnswers(this.dockerHost))) {
      if (this.child.exitCode !== null) throw new Error(`private dockerd exited with ${this.child.exitCode}; see ${this.dir}/dockerd.log`);
      if (Date.now() > deadline) throw new Error(`private dockerd did not answer within 60 s; see ${this.dir}/dockerd.log`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Stops this engine (by its own pid) and waits until it is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    await exited;
    clearTimeout(timer);
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true, maxRetries: 3 });
  }
}
