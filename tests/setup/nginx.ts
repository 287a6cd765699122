// Requests to the test nginx on its loopback port, naming the virtual host in the Host header.
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";

export function viaNginx(port: number, host: string, path = "/", headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, headers: { Host: host, ...headers }, agent: false }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode!, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Stops the nginx a test server started in its data directory and waits until it has gone (a reboot). */
export async function stopNginx(dataDir: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dataDir, "nginx", "run", "nginx.pid"), "utf8"));
    process.kill(pid, "SIGQUIT");
  } catch {
    return; // nginx never started, or has gone already
  }
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Stops the nginx a test server started in its data directory (SIGQUIT to its master), if any. */
export function stopNginxOf(dataDir: string): void {
  try {
    process.kill(Number(readFileSync(join(dataDir, "nginx", "run", "nginx.pid"), "utf8")), "SIGQUIT");
  } catch {
    // nginx never started
  }
}
