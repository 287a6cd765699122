// ProxyApplier for an nginx process beside InfraPilot (NGINX_MODE=local): a private instance run
// with `-p <confDir> -c <confDir>/live/nginx.conf`. The pipeline of one apply:
//   stage (write/link files) → `nginx -t` on the staged tree → complete + atomic swap of `live`
//   → reload (SIGHUP, or start when not running) → confirm from nginx's own log
//   → on a failed reload: swap back (nginx itself keeps serving the old config).
// Applies are serialized by a promise chain; the server coalesces bursts before calling here.
import { execFile } from "node:child_process";
import { open, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { diskConf, TreeStore, unshare } from "./tree-store";
import { ACME_TOKEN_PATTERN } from "./acme-token";
import { DEFAULT_LOG_ROTATION, referencedHostLogs, removeUnreferencedHostLogs, rotateHostLogs, type LogRotationOptions } from "./log-rotate";
import type { NginxApplyProgress, NginxApplyRequest, NginxApplyResult, NginxRejectedFile, NginxStatus, ProxyApplier } from "./types";

export interface LocalNginxOptions {
  bin: string;
  confDir: string;
  /** How long to wait for a reload or start to be confirmed. */
  reloadTimeoutMs?: number;
  /** Per-host log rotation (log-rotate.ts); checked every `checkMs` while nginx runs. */
  logRotation?: Partial<LogRotationOptions> & { checkMs?: number };
}

interface RunResult {
  code: number | null;
  output: string;
}

function run(bin: string, args: string[], timeoutMs = 30_000): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(bin, args, { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === "number" ? ((error as { code: number }).code) : 1) : 0;
      const output = `${stdout}${stderr}`.trim() || (error && typeof (error as { code?: unknown }).code === "string" ? `${bin}: ${(error as Error).message}` : "");
      resolve({ code, output });
    });
  });
}

export class LocalNginx implements ProxyApplier {
  protected readonly store: TreeStore;
  private chain: Promise<unknown> = Promise.resolve();
  private ready: Promise<void> | null = null;
  protected version: string | null = null;
  private rotationTimer: NodeJS.Timeout | null = null;
  private readonly lastRotated = new Map<string, number>();

  constructor(protected readonly options: LocalNginxOptions) {
    this.store = new TreeStore(options.confDir);
  }

  protected get prefix(): string {
    return this.options.confDir.endsWith("/") ? this.options.confDir : `${this.options.confDir}/`;
  }

  protected init(): Promise<void> {
    this.ready ??= this.store.init();
    return this.ready;
  }

  /** Serializes: each call runs after the previous one finished, whatever its outcome. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => {});
    return next;
  }

  apply(request: NginxApplyRequest, onProgress?: (progress: NginxApplyProgress) => void): Promise<NginxApplyResult> {
    return this.serial(() => this.applyNow(request, onProgress));
  }

  private async applyNow(request: NginxApplyRequest, onProgress?: (progress: NginxApplyProgress) => void): Promise<NginxApplyResult> {
    await this.init();
    const t0 = performance.now();
    const timings = { stageMs: 0, testMs: 0, swapMs: 0, reloadMs: 0 };
    const base = await this.store.liveGeneration();
    const staged = await this.store.stage(request.files, base);
    timings.stageMs = performance.now() - t0;
    const rejected: NginxRejectedFile[] = [];
    let tests = 0;
    const result = (ok: boolean, generation: string | null, output: string, reloads = 0, started = false): NginxApplyResult => ({
      ok,
      generation,
      output,
      rejected,
      tests,
      reloads,
      started,
      durationMs: performance.now() - t0,
      timings,
      testMode: quickOk ? "quick" : "full",
    });

    // Quick path (a small change to a running nginx): `nginx -t` of the http level plus only
    // the changed includes catches the change's own errors fast; the reload then re-parses the
    // whole tree, and nginx refuses a bad one without harm (it keeps serving the old config).
    const pid = await this.runningPid();
    let quickOk = false;
    if (!request.fullTest && pid !== null && base !== null && staged.changed.length <= QUICK_MAX_CHANGED) {
      const t = performance.now();
      const conf = join(staged.dir, QUICK_CONF);
      await writeFile(conf, diskConf(quickTestConf(request.files, staged.changed), staged.shared));
      const test = await this.test(conf);
      await rm(conf, { force: true });
      tests++;
      timings.testMs += performance.now() - t;
      quickOk = test.ok;
    }

    // Full test; isolate files nginx names under isolatePrefix, one at a time, and test again.
    for (; !quickOk; ) {
      const t = performance.now();
      const test = await this.test(join(staged.dir, "nginx.conf"));
      tests++;
      timings.testMs += performance.now() - t;
      if (test.ok) break;
      const message = this.shorten(test.output, staged.dir);
      const culprit = request.isolatePrefix ? this.blamedFile(test.output, staged.dir) : null;
      if (!culprit || !culprit.startsWith(request.isolatePrefix!) || rejected.some((r) => r.path === culprit)) {
        await this.store.discard(staged.dir);
        return result(false, base, message);
      }
      rejected.push({ path: culprit, message });
      const previous = base ? await this.store.readFile(base, culprit) : null;
      await this.store.replaceStaged(staged, culprit, previous ?? "# refused by nginx -t; see the host's status\n");
    }

    let t = performance.now();
    await this.store.complete(staged.dir, staged.generation);
    await this.store.swap(staged.generation);
    timings.swapMs = performance.now() - t;

    t = performance.now();
    // The change passed its test and is live on disk: the caller may answer now ("pending")
    // while nginx re-reads the tree; the result below is the confirmation.
    const signalled = () =>
      onProgress?.({ phase: "signalled", generation: staged.generation, rejected: [...rejected], tests, testMode: quickOk ? "quick" : "full", durationMs: performance.now() - t0, timings: { ...timings, reloadMs: performance.now() - t } });
    const reload = pid ? await this.reload(pid, signalled) : await this.start();
    timings.reloadMs = performance.now() - t;
    if (!reload.ok) {
      // nginx refused the new tree at reload time (a cross-host conflict the quick test could
      // not see, or a port it cannot bind) and keeps serving the old one: point `live` back.
      if (base) await this.store.swap(base);
      await this.store.discard(this.store.treeDir(staged.generation));
      if (quickOk) {
        // Find the culprit the thorough way: full nginx -t with isolation of refused hosts.
        const full = await this.applyNow({ ...request, fullTest: true });
        return { ...full, tests: full.tests + tests, reloads: full.reloads + 1, durationMs: performance.now() - t0, testMode: "full" };
      }
      return result(false, base, this.shorten(reload.output, staged.dir), 1, false);
    }
    await this.store.prune([staged.generation, base]);
    // nginx now writes only the logs this tree names: those of deleted hosts go.
    await removeUnreferencedHostLogs(this.hostLogsDir(), referencedHostLogs(request.files)).catch(() => []);
    this.scheduleRotation();
    return result(true, staged.generation, "", 1, !pid);
  }

  /** `nginx -t` of one config file; the prefix is shared so pid/temp/log paths resolve. */
  protected async test(confFile: string): Promise<{ ok: boolean; output: string }> {
    const r = await run(this.options.bin, ["-q", "-t", "-p", this.prefix, "-c", confFile]);
    return { ok: r.code === 0, output: r.output };
  }

  async testLive(): Promise<{ ok: boolean; output: string; durationMs: number }> {
    await this.init();
    const t = performance.now();
    const r = await this.test(join(this.store.livePath, "nginx.conf"));
    return { ...r, durationMs: performance.now() - t };
  }

  /** A file of the live tree by its logical path (host files live in `shared/`, see tree-store.ts). */
  async liveFile(path: string): Promise<string | null> {
    await this.init();
    const generation = await this.store.liveGeneration();
    return generation ? this.store.readFile(generation, path) : null;
  }

  protected blamedFile(output: string, stagingDir: string): string | null {
    const m = unshare(output, stagingDir).match(new RegExp(`${escapeRegExp(stagingDir)}/([^\\s:]+):\\d+`));
    return m ? m[1]! : null;
  }

  protected shorten(output: string, stagingDir: string): string {
    return unshare(output, stagingDir)
      .split(`${stagingDir}/`)
      .join("")
      .replace(/^nginx: configuration file .* test failed$/m, "")
      .trim()
      .slice(0, 4000);
  }

  protected pidFile(): string {
    return join(this.options.confDir, "run", "nginx.pid");
  }

  protected async runningPid(): Promise<number | null> {
    try {
      const pid = Number((await readFile(this.pidFile(), "utf8")).trim());
      if (!Number.isInteger(pid) || pid <= 0) return null;
      return (await alive(pid)) ? pid : null;
    } catch {
      return null;
    }
  }

  protected errorLog(): string {
    return join(this.options.confDir, "logs", "error.log");
  }

  protected async logSize(): Promise<number> {
    try {
      return (await stat(this.errorLog())).size;
    } catch {
      return 0;
    }
  }

  protected async logSince(offset: number): Promise<string> {
    try {
      const fh = await open(this.errorLog(), "r");
      try {
        const { size } = await fh.stat();
        if (size <= offset) return "";
        const buf = Buffer.alloc(size - offset);
        await fh.read(buf, 0, buf.length, offset);
        return buf.toString("utf8");
      } finally {
        await fh.close();
      }
    } catch {
      return "";
    }
  }

  /**
   * SIGHUP the master and wait until its log says the new workers started (or why not). nginx
   * validates the new tree again itself and keeps the old configuration when it fails.
   */
  protected async reload(pid: number, onSignalled?: () => void): Promise<{ ok: boolean; output: string }> {
    const offset = await this.logSize();
    const oldWorkers = await childPids(pid);
    await this.signal(pid, "SIGHUP");
    onSignalled?.();
    const deadline = Date.now() + (this.options.reloadTimeoutMs ?? 15_000);
    let delay = 2;
    while (Date.now() < deadline) {
      await sleep(delay);
      delay = Math.min(delay * 2, 25);
      const log = await this.logSince(offset);
      const failure = log.split("\n").find((l) => /\[(emerg|alert)\]/.test(l));
      if (failure) return { ok: false, output: failure.replace(/^.*?\[(emerg|alert)\] \d+#\d+: /, "") };
      // Done when new workers run and every old worker stopped accepting connections (until
      // then an old worker may still answer a new connection with the old configuration).
      if (/start worker process(es)?\b/.test(log) && (await this.oldWorkersRetired(oldWorkers, log))) return { ok: true, output: "" };
      if (!(await alive(pid))) return { ok: false, output: "nginx exited during the reload" };
    }
    return { ok: false, output: "nginx did not confirm the reload in time" };
  }

  protected async oldWorkersRetired(oldWorkers: number[], log: string): Promise<boolean> {
    for (const worker of oldWorkers) {
      if (new RegExp(`\\b${worker}#\\d+: (gracefully shutting down|exiting|exit)`).test(log)) continue;
      if (!(await alive(worker))) continue;
      return false;
    }
    return true;
  }

  /** Sends a signal to the nginx master (HUP reload, USR1 reopen logs, QUIT stop). */
  protected async signal(pid: number, signal: NodeJS.Signals): Promise<void> {
    process.kill(pid, signal);
  }

  /** Starts nginx on the live tree. The foreground process exits once the daemon is up. */
  protected async start(): Promise<{ ok: boolean; output: string }> {
    await rm(this.pidFile(), { force: true });
    const r = await run(this.options.bin, ["-p", this.prefix, "-c", join(this.store.livePath, "nginx.conf")]);
    if (r.code !== 0) return { ok: false, output: r.output || `nginx exited with ${r.code}` };
    const deadline = Date.now() + (this.options.reloadTimeoutMs ?? 15_000);
    while (Date.now() < deadline) {
      if (await this.runningPid()) return { ok: true, output: "" };
      await sleep(10);
    }
    return { ok: false, output: "nginx started but wrote no pid file" };
  }

  /** Boot: start nginx on the live tree if it is not running (after a crash or a host restart). */
  async ensureRunning(): Promise<{ ok: boolean; output: string }> {
    return this.serial(async () => {
      await this.init();
      if (!(await this.store.liveGeneration())) return { ok: true, output: "no tree applied yet" };
      this.scheduleRotation();
      if (await this.runningPid()) return { ok: true, output: "" };
      return this.start();
    });
  }

  protected hostLogsDir(): string {
    return join(this.options.confDir, "logs", "hosts");
  }

  /**
   * Rotates the per-host logs that are due (size or day) and has nginx reopen them. Serialized
   * with applies, so the signal never meets a start or a reload half-way. Returns what rotated.
   */
  async rotateLogs(now = new Date()): Promise<string[]> {
    return this.serial(async () => {
      await this.init();
      const rotated = await rotateHostLogs(this.hostLogsDir(), { ...DEFAULT_LOG_ROTATION, ...this.options.logRotation }, now, this.lastRotated);
      if (rotated.length) {
        const pid = await this.runningPid();
        if (pid) await this.reopenLogs(pid);
      }
      return rotated;
    });
  }

  /** nginx reopens every log file (the master creates the new ones, then tells its workers). */
  protected async reopenLogs(pid: number): Promise<void> {
    await this.signal(pid, "SIGUSR1");
  }

  /** Starts the periodic rotation check once nginx runs (unref'd: it never keeps the process alive). */
  private scheduleRotation(): void {
    if (this.rotationTimer) return;
    const every = this.options.logRotation?.checkMs ?? 60_000;
    this.rotationTimer = setInterval(() => void this.rotateLogs().catch(() => undefined), every);
    this.rotationTimer.unref();
  }

  async status(): Promise<NginxStatus> {
    await this.init();
    if (!this.version) {
      const r = await run(this.options.bin, ["-v"]);
      this.version = r.output.match(/nginx\/([\d.]+)/)?.[1] ?? null;
    }
    const pid = await this.runningPid();
    return { mode: "local", running: pid !== null, pid, version: this.version, generation: await this.store.liveGeneration(), confDir: this.options.confDir };
  }

  async problem(): Promise<string | null> {
    if ((await this.status()).version) return null;
    return `nginx was not found (NGINX_BIN=${this.options.bin}). Install it (apt-get install nginx-light) or set NGINX_BIN; proxy hosts are not served until then.`;
  }

  async putChallenge(token: string, keyAuthorization: string): Promise<void> {
    if (!ACME_TOKEN_PATTERN.test(token)) throw new Error("invalid ACME token");
    if (!/^[A-Za-z0-9_.-]+$/.test(keyAuthorization)) throw new Error("invalid ACME key authorization");
    await this.init();
    await writeFile(join(this.options.confDir, "acme", ".well-known", "acme-challenge", token), keyAuthorization, { mode: 0o644 });
  }

  async removeChallenge(token: string): Promise<void> {
    if (!ACME_TOKEN_PATTERN.test(token)) throw new Error("invalid ACME token");
    await rm(join(this.options.confDir, "acme", ".well-known", "acme-challenge", token), { force: true });
  }

  async stop(): Promise<void> {
    if (this.rotationTimer) clearInterval(this.rotationTimer);
    this.rotationTimer = null;
    const pid = await this.runningPid();
    if (!pid) return;
    await this.signal(pid, "SIGQUIT");
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (!(await alive(pid))) return;
      await sleep(20);
    }
    await this.signal(pid, "SIGKILL");
  }
}

/** Worker processes of an nginx master (children by /proc), so a reload can wait for them to retire. */
async function childPids(parent: number): Promise<number[]> {
  // One read where the kernel lists children (CONFIG_PROC_CHILDREN); else scan every process.
  const listed = await readFile(`/proc/${parent}/task/${parent}/children`, "utf8").catch(() => null);
  if (listed !== null) return listed.split(" ").filter((x) => /^\d+$/.test(x)).map(Number);
  const found: number[] = [];
  for (const name of await readdir("/proc").catch(() => [] as string[])) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, "utf8").catch(() => "");
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid === parent) found.push(Number(name));
  }
  return found;
}

async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  // A zombie has exited; it only waits for its parent to reap it.
  return stat !== "" && stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
}

/** At most this many changed files take the quick path; bulk applies always get the full nginx -t. */
const QUICK_MAX_CHANGED = 16;
const QUICK_CONF = ".quick-test.conf";

/**
 * nginx.conf with only the top-level includes that changed, or that reference a changed file
 * (a renewed certificate, an edited htpasswd): what a single save can break by itself.
 */
export function quickTestConf(files: Record<string, string>, changed: string[]): string {
  const main = files["nginx.conf"] ?? "";
  const changedSet = new Set(changed);
  const others = changed.filter((p) => p !== "nginx.conf" && !/\.conf$/.test(p));
  return main.replace(/^(\s*)include ([^\s;]+);$/gm, (line, _indent: string, path: string) => {
    if (changedSet.has(path)) return line;
    const content = files[path];
    if (content !== undefined && others.some((o) => content.includes(o))) return line;
    return "";
  });
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

function escapeRegExp(s: string) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
