// A real image registry for pull tests: Debian's `docker-registry` (the CNCF distribution
// registry) on a free loopback port with its own storage directory. Engines treat 127.0.0.0/8 as
// an insecure registry by default, so `docker push 127.0.0.1:PORT/…` and pulls work without TLS.
// There is no internet here: this is how a pull is tested for real (docs/decisions/075).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const REGISTRY_BIN = process.env.REGISTRY_BIN ?? "/usr/bin/docker-registry";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export class TestRegistry {
  readonly dir = mkdtempSync(join(tmpdir(), "ip-registry-"));
  port = 0;
  private child: ChildProcess | null = null;

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.port = await freePort();
    const config = join(this.dir, "config.yml");
    writeFileSync(
      config,
      [
        "version: 0.1",
        "log:",
        "  level: error",
        "storage:",
        "  filesystem:",
        `    rootdirectory: ${join(this.dir, "data")}`,
        "http:",
        `  addr: 127.0.0.1:${this.port}`,
        "",
      ].join("\n"),
    );
    const log = openSync(join(this.dir, "registry.log"), "a");
    this.child = spawn(REGISTRY_BIN, ["serve", config], { stdio: ["ignore", log, log] });
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`docker-registry exited with ${this.child.exitCode}; see ${this.dir}/registry.log (apt-get install -y docker-registry)`);
      const ok = await fetch(`http://${this.host}/v2/`).then((r) => r.ok, () => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`docker-registry did not answer within 20 s; see ${this.dir}/registry.log`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async destroy(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child && child.exitCode === null) {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
