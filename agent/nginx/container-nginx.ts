// ProxyApplier for nginx in a Docker container (NGINX_MODE=container). Everything but *how nginx
// is run* is LocalNginx's pipeline: the same staged tree, `nginx -t`, atomic swap of `live`,
// reload confirmed from nginx's own error log, swap back on failure.
//
// Contract (docs/decisions/022): NGINX_CONF_DIR is bind-mounted into the container at the SAME
// absolute path (`-v /var/lib/infrapilot/nginx:/var/lib/infrapilot/nginx`), so every path in a
// rendered tree, the pid file and the error log mean the same file on both sides. The container
// needs an `nginx` binary; nothing else (no shell, no kill).
//   test     docker exec <c> nginx -q -t -p <dir>/ -c <staged nginx.conf>
//   start    docker start <c> (when stopped), then docker exec <c> nginx -p <dir>/ -c <dir>/live/nginx.conf
//            (nginx daemonizes inside the container), unless a master on that tree already runs
//            there (e.g. the container's own command is that nginx)
//   reload   docker exec <c> nginx -s reload -p <dir>/ -c <dir>/run/signal.conf — a two-line
//            config whose only job is to name the pid file, so the signaller does not parse the
//            whole tree; the master then re-reads the live tree itself.
//   running  `docker top`: a process "nginx: master process … -c <dir>/live/nginx.conf".
// Container targets: before each apply the nginx container joins the first user-defined network
// of every container that a host proxies to by name, so Docker's DNS (127.0.0.11) resolves it.
// A host whose container cannot be reached that way is isolated like a host nginx refused.
import { randomBytes } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ContainerDetail, ContainerSummary } from "../types";
import { LocalNginx } from "./local-nginx";
import type { NginxApplyProgress, NginxApplyRequest, NginxApplyResult, NginxRejectedFile, NginxStatus, NginxTree } from "./types";

/** What ContainerNginx needs from the Docker engine; LocalAgent implements it. */
export interface NginxContainerRuntime {
  inspectContainer(id: string): Promise<ContainerDetail>;
  startContainer(id: string): Promise<void>;
  listContainers(options?: { all?: boolean }): Promise<ContainerSummary[]>;
  execCapture(id: string, cmd: string[], timeoutMs?: number): Promise<{ exitCode: number | null; stdout: string; stderr: string }>;
  containerProcesses(id: string): Promise<{ pid: number; ppid: number; args: string }[]>;
  connectNetwork(networkId: string, containerId: string): Promise<void>;
}

export interface ContainerNginxOptions {
  /** NGINX_CONTAINER: name or id of the nginx container; undefined is reported as a setup problem. */
  container: string | undefined;
  confDir: string;
  runtime: NginxContainerRuntime;
  /** nginx inside the container (default `nginx`, found on the container's PATH). */
  bin?: string;
  reloadTimeoutMs?: number;
}

/** A setup problem of container mode, in words an operator can act on. */
export class NginxContainerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NginxContainerError";
  }
}

const SIGNAL_CONF = "signal.conf";
/** Docker's networks on which its DNS does not answer container names. */
const NO_DNS_NETWORKS = new Set(["bridge", "host", "none"]);

export class ContainerNginx extends LocalNginx {
  private readonly container: string | undefined;
  private readonly runtime: NginxContainerRuntime;
  private attachChain: Promise<unknown> = Promise.resolve();
  /** Container id + start time whose mount was verified (re-checked after a restart or a new container). */
  private mountChecked: string | null = null;
  private signalReady: Promise<void> | null = null;

  constructor(options: ContainerNginxOptions) {
    super({ bin: options.bin ?? "nginx", confDir: options.confDir, reloadTimeoutMs: options.reloadTimeoutMs });
    this.container = options.container?.trim() || undefined;
    this.runtime = options.runtime;
  }

  private get liveConf(): string {
    return join(this.store.livePath, "nginx.conf");
  }

  private get signalConf(): string {
    return join(this.options.confDir, "run", SIGNAL_CONF);
  }

  protected override init(): Promise<void> {
    // The signaller reads only the pid file's location from this; `user root` keeps it from
    // looking up a compile-time default user the image may not have.
    this.signalReady ??= super.init().then(() => writeFile(this.signalConf, "user root;\npid run/nginx.pid;\nevents {}\n", { mode: 0o644 }));
    return this.signalReady;
  }

  // ------------------------------------------------------------------ the container itself

  /**
   * The nginx container, running (started when stopped) and seeing NGINX_CONF_DIR at the same
   * path. Throws NginxContainerError with the reason and the fix.
   */
  async ensureContainer(start = true): Promise<ContainerDetail> {
    await this.init();
    if (!this.container) {
      throw new NginxContainerError(
        `NGINX_MODE=container needs NGINX_CONTAINER (the name or id of the nginx container). Start one with ${this.runHint()} and set NGINX_CONTAINER=infrapilot-nginx.`,
      );
    }
    let detail = await this.inspect();
    if (!detail.state.running || detail.state.paused) {
      if (detail.state.paused) throw new NginxContainerError(`The nginx container ${this.container} is paused; unpause it (docker unpause ${this.container}).`);
      if (!start) throw new NginxContainerError(`The nginx container ${this.container} is ${detail.state.status}; the next apply (save a host or Re-apply all) starts it.`);
      try {
        await this.runtime.startContainer(detail.id);
      } catch (error) {
        throw new NginxContainerError(`The nginx container ${this.container} is ${detail.state.status} and could not be started: ${messageOf(error)}`);
      }
      detail = await this.inspect();
      if (!detail.state.running) {
        throw new NginxContainerError(`The nginx container ${this.container} stopped right after it was started (exit code ${detail.state.exitCode ?? "?"}); see docker logs ${this.container}.`);
      }
    }
    const key = `${detail.id}@${detail.state.startedAt ?? ""}`;
    if (this.mountChecked !== key) {
      await this.checkMount(detail);
      this.mountChecked = key;
    }
    return detail;
  }

  private async inspect(): Promise<ContainerDetail> {
    try {
      return await this.runtime.inspectContainer(this.container!);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === "container_not_found") {
        throw new NginxContainerError(`The nginx container ${this.container} (NGINX_CONTAINER) does not exist. Create it with ${this.runHint()}.`);
      }
      if (code === "docker_unreachable") {
        throw new NginxContainerError(`${messageOf(error)}. NGINX_MODE=container drives nginx through this engine: start Docker or set DOCKER_HOST.`);
      }
      throw new NginxContainerError(`The nginx container ${this.container} cannot be inspected: ${messageOf(error)}`);
    }
  }

  /**
   * Proves the container sees this directory at the same path: a file written here under a fresh
   * name must pass `nginx -t` inside the container. This also proves `nginx` runs there.
   */
  private async checkMount(detail: ContainerDetail): Promise<void> {
    const probe = join(this.options.confDir, "run", `probe-${randomBytes(6).toString("hex")}.conf`);
    await writeFile(probe, "user root;\npid run/probe.pid;\nevents {}\n", { mode: 0o644 });
    try {
      const r = await this.exec(detail.id, [this.options.bin, "-q", "-t", "-p", this.prefix, "-c", probe]);
      if (r.exitCode === 0) return;
      if (/executable file not found|no such file or directory.*exec|OCI runtime exec failed/i.test(r.output)) {
        throw new NginxContainerError(`The nginx container ${this.container} has no ${this.options.bin} binary: ${r.output}`);
      }
      const mounts = detail.mounts.map((m) => `${m.source || m.name}:${m.destination}`).join(", ") || "none";
      throw new NginxContainerError(
        `The nginx container ${this.container} does not see InfraPilot's nginx directory ${this.options.confDir} (its mounts: ${mounts}). ` +
          `Mount it at the same path: -v ${this.options.confDir}:${this.options.confDir}. nginx said: ${r.output || `exit ${r.exitCode}`}`,
      );
    } finally {
      await rm(probe, { force: true });
    }
  }

  private runHint(): string {
    const d = this.options.confDir;
    return `\`docker run -d --name infrapilot-nginx --restart unless-stopped --network host -v ${d}:${d} <an image with nginx> sh -c 'trap "exit 0" TERM; while :; do sleep 1; done'\``;
  }

  private async exec(id: string, cmd: string[]): Promise<{ exitCode: number | null; output: string }> {
    try {
      const r = await this.runtime.execCapture(id, cmd, 60_000);
      return { exitCode: r.exitCode, output: `${r.stdout}${r.stderr}`.trim() };
    } catch (error) {
      return { exitCode: null, output: messageOf(error) };
    }
  }

  /**
   * A problem that keeps hosts from being served, or null (the Proxies page and boot log show it).
   * `start`: start the container when it is stopped (boot) instead of reporting it (page loads).
   */
  async problem(start = false): Promise<string | null> {
    try {
      await this.ensureContainer(start);
      return null;
    } catch (error) {
      return messageOf(error);
    }
  }

  // ------------------------------------------------------------------ the pipeline

  /** `onProgress` is handed to LocalNginx's pipeline unchanged (it reports the reload signal). */
  override apply(request: NginxApplyRequest, onProgress?: (progress: NginxApplyProgress) => void): Promise<NginxApplyResult> {
    const next = this.attachChain.then(() => this.applyInContainer(request, onProgress));
    this.attachChain = next.catch(() => {});
    return next;
  }

  private async applyInContainer(request: NginxApplyRequest, onProgress?: (progress: NginxApplyProgress) => void): Promise<NginxApplyResult> {
    const nginx = await this.ensureContainer();
    const { files, refused } = await this.attachTargets(nginx, request.files);
    const pipeline = super.apply as (this: LocalNginx, request: NginxApplyRequest, onProgress?: (progress: NginxApplyProgress) => void) => Promise<NginxApplyResult>;
    const result = await pipeline.call(this, { ...request, files }, onProgress);
    return refused.length ? { ...result, rejected: [...refused, ...result.rejected.filter((r) => !refused.some((x) => x.path === r.path))] } : result;
  }

  /**
   * Joins the nginx container to the network of each container a host proxies to by name. A host
   * whose container cannot be reached by name gets its previous file back (or a placeholder)
   * and the reason, as when nginx refuses a host.
   */
  private async attachTargets(nginx: ContainerDetail, files: NginxTree): Promise<{ files: NginxTree; refused: NginxRejectedFile[] }> {
    const byName = upstreamNames(files);
    if (byName.size === 0) return { files, refused: [] };
    const containers = await this.runtime.listContainers({ all: true });
    const problems = new Map<string, string>();
    const joined = new Set(nginx.networks.map((n) => n.networkId));
    for (const name of byName.keys()) {
      const target = findContainer(containers, name);
      if (!target) continue; // an ordinary DNS name, resolved by nginx's resolver
      if (target.id === nginx.id) continue;
      const problem = await this.attachTo(nginx, target, name, joined);
      if (problem) problems.set(name, problem);
    }
    if (problems.size === 0) return { files, refused: [] };
    const base = await this.store.liveGeneration();
    const out = { ...files };
    const refused: NginxRejectedFile[] = [];
    for (const [name, problem] of problems) {
      for (const path of byName.get(name)!) {
        if (refused.some((r) => r.path === path)) continue;
        refused.push({ path, message: problem });
        out[path] = (base ? await this.store.readFile(base, path) : null) ?? "# refused: its container cannot be reached; see the host's status\n";
      }
    }
    return { files: out, refused };
  }

  private async attachTo(nginx: ContainerDetail, target: ContainerSummary, name: string, joined: Set<string>): Promise<string | null> {
    if (/^[0-9a-f]{64}$/.test(name)) return `Container ${target.name} is named by its full id, which DNS cannot resolve (labels are at most 63 characters); pick it by name.`;
    let detail: ContainerDetail;
    try {
      detail = await this.runtime.inspectContainer(target.id);
    } catch (error) {
      return `Container ${target.name} cannot be inspected: ${messageOf(error)}`;
    }
    const mode = detail.networkMode;
    if (mode === "host") return `Container ${detail.name} is on the host network: nginx cannot reach it by name. Target http://127.0.0.1:<its port> instead.`;
    if (mode === "none" || mode.startsWith("container:")) return `Container ${detail.name} has no network of its own (network mode ${mode}); nginx cannot reach it.`;
    const network = detail.networks.filter((n) => !NO_DNS_NETWORKS.has(n.name)).sort((a, b) => a.name.localeCompare(b.name))[0];
    if (!network) {
      return detail.networks.some((n) => n.name === "bridge")
        ? `Container ${detail.name} is only on Docker's default bridge network, where containers cannot find each other by name. Connect it to a user-defined network (docker network create app; docker network connect app ${detail.name}).`
        : `Container ${detail.name} is on no network nginx can join.`;
    }
    if (joined.has(network.networkId)) return null;
    if (nginx.networkMode === "host") {
      return `The nginx container ${nginx.name} runs with --network host and cannot join ${detail.name}'s network ${network.name}. Publish ${detail.name}'s port and target http://127.0.0.1:<port>, or run the nginx container on a user-defined network.`;
    }
    try {
      await this.runtime.connectNetwork(network.networkId, nginx.id);
    } catch (error) {
      const message = messageOf(error);
      if (!/already exists|already attached/i.test(message)) return `The nginx container could not join network ${network.name} of ${detail.name}: ${message}`;
    }
    joined.add(network.networkId);
    return null;
  }

  // ------------------------------------------------------------------ how nginx is run

  protected override async test(confFile: string): Promise<{ ok: boolean; output: string }> {
    const id = await this.containerId();
    if (!id) return { ok: false, output: `The nginx container ${this.container ?? "(NGINX_CONTAINER unset)"} is not available.` };
    const r = await this.exec(id, [this.options.bin, "-q", "-t", "-p", this.prefix, "-c", confFile]);
    return { ok: r.exitCode === 0, output: r.output };
  }

  /** The full id of the nginx container when it runs (no start, no mount check: for hot paths). */
  private async containerId(): Promise<string | null> {
    if (!this.container) return null;
    try {
      const d = await this.runtime.inspectContainer(this.container);
      return d.state.running ? d.id : null;
    } catch {
      return null;
    }
  }

  private async processes(id: string) {
    try {
      return await this.runtime.containerProcesses(id);
    } catch {
      return [];
    }
  }

  private master(procs: { pid: number; args: string }[]) {
    return procs.find((p) => p.args.startsWith("nginx: master process") && p.args.includes(this.liveConf)) ?? null;
  }

  /** The master's pid as the engine's host sees it (docker top), or null when it does not run. */
  protected override async runningPid(): Promise<number | null> {
    const id = await this.containerId();
    if (!id) return null;
    return this.master(await this.processes(id))?.pid ?? null;
  }

  protected override async reload(pid: number, onSignalled?: () => void): Promise<{ ok: boolean; output: string }> {
    const id = await this.containerId();
    if (!id) return { ok: false, output: `The nginx container ${this.container} stopped during the apply.` };
    const offset = await this.logSize();
    const workers = (await this.processes(id)).filter((p) => p.ppid === pid && !p.args.includes("shutting down")).map((p) => p.pid);
    const signal = await this.exec(id, [this.options.bin, "-s", "reload", "-p", this.prefix, "-c", this.signalConf]);
    if (signal.exitCode !== 0) return { ok: false, output: `nginx -s reload failed: ${signal.output || `exit ${signal.exitCode}`}` };
    onSignalled?.();
    const deadline = Date.now() + (this.options.reloadTimeoutMs ?? 15_000);
    let delay = 5;
    while (Date.now() < deadline) {
      await sleep(delay);
      delay = Math.min(delay * 2, 50);
      const log = await this.logSince(offset);
      const failure = log.split("\n").find((l) => /\[(emerg|alert)\]/.test(l));
      if (failure) return { ok: false, output: failure.replace(/^.*?\[(emerg|alert)\] \d+#\d+: /, "") };
      if (!/start worker process(es)?\b/.test(log)) continue;
      // Done when every old worker stopped accepting connections (it says so in its title).
      const procs = await this.processes(id);
      if (!procs.some((p) => p.pid === pid)) return { ok: false, output: "nginx exited during the reload" };
      const stillServing = workers.filter((w) => procs.some((p) => p.pid === w && !p.args.includes("shutting down")));
      if (stillServing.length === 0) return { ok: true, output: "" };
    }
    return { ok: false, output: "nginx did not confirm the reload in time" };
  }

  /** Log rotation: the master inside the container reopens its files (`nginx -s reopen` = SIGUSR1). */
  protected override async reopenLogs(): Promise<void> {
    const id = await this.containerId();
    if (id) await this.exec(id, [this.options.bin, "-s", "reopen", "-p", this.prefix, "-c", this.signalConf]);
  }

  protected override async start(): Promise<{ ok: boolean; output: string }> {
    let detail: ContainerDetail;
    try {
      detail = await this.ensureContainer();
    } catch (error) {
      return { ok: false, output: messageOf(error) };
    }
    const id = detail.id;
    const deadline = Date.now() + (this.options.reloadTimeoutMs ?? 15_000);
    const appeared = async (): Promise<boolean> => {
      while (Date.now() < deadline) {
        if (this.master(await this.processes(id))) return true;
        await sleep(20);
      }
      return false;
    };
    if (this.master(await this.processes(id))) return { ok: true, output: "" };
    // The container's own command is this very nginx: it starts (or failed to) with the container.
    if (this.ownCommandIsNginx(detail)) {
      if (await appeared()) return { ok: true, output: "" };
      return { ok: false, output: `The nginx container ${this.container} runs nginx as its own command, but no master process on ${this.liveConf} appeared; see docker logs ${this.container}.` };
    }
    await rm(this.pidFile(), { force: true });
    const r = await this.exec(id, [this.options.bin, "-p", this.prefix, "-c", this.liveConf]);
    if (r.exitCode !== 0) return { ok: false, output: r.output || `nginx exited with ${r.exitCode}` };
    if (await appeared()) return { ok: true, output: "" };
    return { ok: false, output: "nginx started in the container but no master process appeared" };
  }

  private ownCommandIsNginx(detail: ContainerDetail): boolean {
    const command = [...(detail.config.entrypoint ?? []), ...(detail.config.cmd ?? [])].join(" ");
    return /(^|[\s/])nginx\s/.test(command) && command.includes(this.liveConf);
  }

  override async status(): Promise<NginxStatus> {
    await this.init();
    const id = await this.containerId();
    if (!this.version && id) {
      const r = await this.exec(id, [this.options.bin, "-v"]);
      this.version = r.output.match(/nginx\/([\d.]+)/)?.[1] ?? null;
    }
    const pid = id ? (this.master(await this.processes(id))?.pid ?? null) : null;
    return { mode: "container", running: pid !== null, pid, version: this.version, generation: await this.store.liveGeneration(), confDir: this.options.confDir };
  }

  override async stop(): Promise<void> {
    const id = await this.containerId();
    if (!id || !(await this.runningPid())) return;
    await this.exec(id, [this.options.bin, "-s", "quit", "-p", this.prefix, "-c", this.signalConf]);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (!this.master(await this.processes(id))) return;
      await sleep(50);
    }
    await this.exec(id, [this.options.bin, "-s", "stop", "-p", this.prefix, "-c", this.signalConf]);
  }
}

/** Upstream host names (not addresses) of proxied hosts → the host files that use them. */
export function upstreamNames(files: NginxTree): Map<string, string[]> {
  const names = new Map<string, string[]>();
  for (const [path, content] of Object.entries(files)) {
    if (!path.startsWith("hosts/")) continue;
    for (const m of content.matchAll(/^\s*set \$ip_upstream https?:\/\/([A-Za-z0-9][A-Za-z0-9_.-]*):\d+;$/gm)) {
      const list = names.get(m[1]!) ?? [];
      if (!list.includes(path)) list.push(path);
      names.set(m[1]!, list);
    }
  }
  return names;
}

/** A container by exact name, full id, or an id prefix of at least 12 characters (Docker's short id). */
export function findContainer(containers: ContainerSummary[], ref: string): ContainerSummary | null {
  return (
    containers.find((c) => c.name === ref || c.name === `/${ref}` || c.id === ref) ??
    (/^[0-9a-f]{12,63}$/.test(ref) ? (containers.find((c) => c.id.startsWith(ref)) ?? null) : null)
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}
