// Generated trees on disk: a staging directory per apply, complete trees under trees/, and the
// `live` symlink nginx runs from (`-c <prefix>/live/nginx.conf`). The swap renames a new
// symlink over `live`, which is atomic, so a crash at any moment leaves `live` pointing at a
// complete tree: the old one or the new one, never a half-written one. Files are immutable once
// a tree is complete, so an unchanged file is hard-linked from the previous tree instead of
// rewritten.
//
// The files nginx.conf includes (one per host) are not in the tree at all but shared by every
// tree: `shared/<path with its content hash>` (e.g. `shared/hosts/<id>.<hash16>.conf`), written
// once and never modified, and the tree's nginx.conf on disk includes them as
// `../../shared/…` (relative to the tree's directory, which is what nginx resolves includes
// against, so the same text works from `trees/.staging-<gen>`, `trees/<gen>` and `live`). A
// single-host save at N hosts then writes one shared file, nginx.conf and two small JSON files,
// instead of linking N files. Shared files no kept tree names are pruned after an apply.
import { createHash, randomBytes } from "node:crypto";
import { link, lstat, mkdir, readdir, readFile, readlink, rename, rm, symlink, writeFile } from "node:fs/promises";
import { dirname, join, normalize, relative, sep } from "node:path";
import type { NginxTree } from "./types";

const MANIFEST = ".manifest.json";
/** Logical path → shared file name (relative to `shared/`) of the paths this tree includes from there. */
const SHARED = ".shared.json";
const INCLUDE = /^(\s*)include ([^\s;]+);$/gm;

export interface StagedTree {
  generation: string;
  dir: string;
  /** Logical path → sha256 of its content (as rendered). */
  manifest: Record<string, string>;
  /** Logical paths whose content differs from the base tree's. */
  changed: string[];
  /** Logical path → shared file name, for the includes kept in `shared/`. */
  shared: Record<string, string>;
  /** The rendered nginx.conf (logical include paths). */
  main: string;
}

/** `hosts/a.conf` + hash → `hosts/a.<hash16>.conf`. */
export function sharedName(path: string, hash: string): string {
  const slash = path.lastIndexOf("/");
  const dot = path.lastIndexOf(".");
  const h = hash.slice(0, 16);
  return dot > slash + 1 ? `${path.slice(0, dot)}.${h}${path.slice(dot)}` : `${path}.${h}`;
}

/** nginx.conf as written to disk: includes of shared paths point into `../../shared/`. */
export function diskConf(main: string, shared: Record<string, string>): string {
  return main.replace(INCLUDE, (line, indent: string, path: string) => (shared[path] ? `${indent}include ../../shared/${shared[path]};` : line));
}

/** nginx's messages name shared files by their hashed path; show the logical one under `dir`. */
export function unshare(output: string, dir: string): string {
  return output.replace(/\S*\/\.\.\/\.\.\/shared\/([^\s:";]+?)\.[0-9a-f]{16}(\.[A-Za-z0-9]+)?(?=[\s:";]|$)/g, (_m, base: string, ext: string | undefined) => `${dir}/${base}${ext ?? ""}`);
}

export class TreeStore {
  readonly treesDir: string;
  readonly livePath: string;

  readonly sharedDir: string;

  constructor(readonly prefix: string) {
    this.treesDir = join(prefix, "trees");
    this.livePath = join(prefix, "live");
    this.sharedDir = join(prefix, "shared");
  }

  async init(): Promise<void> {
    for (const d of [this.treesDir, this.sharedDir, join(this.prefix, "run", "tmp"), join(this.prefix, "logs", "hosts"), join(this.prefix, "html"), join(this.prefix, "acme", ".well-known", "acme-challenge")]) {
      await mkdir(d, { recursive: true, mode: 0o755 });
    }
    // Leftovers of an apply that was interrupted never became live: drop them.
    for (const name of await readdir(this.treesDir)) if (name.startsWith(".staging-")) await rm(join(this.treesDir, name), { recursive: true, force: true });
  }

  /** Generation name of the live tree, or null before the first apply. */
  async liveGeneration(): Promise<string | null> {
    try {
      return (await readlink(this.livePath)).split("/").pop() ?? null;
    } catch {
      return null;
    }
  }

  treeDir(generation: string): string {
    return join(this.treesDir, generation);
  }

  /** Manifests of recent trees (immutable once complete), so a save does not re-read and re-parse them. */
  private readonly cache = new Map<string, { manifest: Record<string, string>; shared: Record<string, string> }>();

  async manifest(generation: string | null): Promise<Record<string, string>> {
    if (!generation) return {};
    const cached = this.cache.get(generation);
    if (cached) return cached.manifest;
    try {
      return JSON.parse(await readFile(join(this.treeDir(generation), MANIFEST), "utf8")) as Record<string, string>;
    } catch {
      return {};
    }
  }

  async sharedMap(generation: string | null): Promise<Record<string, string>> {
    if (!generation) return {};
    const cached = this.cache.get(generation);
    if (cached) return cached.shared;
    try {
      return JSON.parse(await readFile(join(this.treeDir(generation), SHARED), "utf8")) as Record<string, string>;
    } catch {
      return {};
    }
  }

  /** A file of a complete tree by its logical path (`nginx.conf` as rendered is not kept: its disk form). */
  async readFile(generation: string, path: string): Promise<string | null> {
    try {
      const rel = safeRelative(path);
      const shared = (await this.sharedMap(generation))[rel];
      return await readFile(shared ? join(this.sharedDir, shared) : join(this.treeDir(generation), rel), "utf8");
    } catch {
      return null;
    }
  }

  /**
   * Writes `files` into a new staging directory: included files into `shared/` unless the base
   * tree already shares the same content, other unchanged files hard-linked from `base`.
   */
  async stage(files: NginxTree, base: string | null): Promise<StagedTree> {
    const generation = `g-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
    const dir = join(this.treesDir, `.staging-${generation}`);
    await mkdir(dir, { mode: 0o755 });
    const [previous, previousShared] = await Promise.all([this.manifest(base), this.sharedMap(base)]);
    const main = files["nginx.conf"] ?? "";
    const included = new Set([...main.matchAll(INCLUDE)].map((m) => m[2]!).filter((p) => p !== "nginx.conf" && files[p] !== undefined));
    const manifest: Record<string, string> = {};
    const shared: Record<string, string> = {};
    const changed: string[] = [];
    const dirs = new Set<string>();
    const toShare: [string, string][] = [];
    const toStage: [string, string, string][] = [];
    for (const [path, content] of Object.entries(files)) {
      const rel = safeRelative(path);
      const hash = createHash("sha256").update(content).digest("hex");
      manifest[rel] = hash;
      if (previous[rel] !== hash) changed.push(rel);
      if (included.has(rel)) {
        shared[rel] = sharedName(rel, hash);
        if (previousShared[rel] !== shared[rel]) toShare.push([shared[rel], content]);
        continue;
      }
      const d = dirname(rel);
      if (d !== ".") dirs.add(d);
      toStage.push([rel, hash, content]);
    }
    for (const d of [...dirs].sort()) await mkdir(join(dir, d), { recursive: true, mode: 0o755 });
    for (const d of new Set(toShare.map(([name]) => dirname(name)))) if (d !== ".") await mkdir(join(this.sharedDir, d), { recursive: true, mode: 0o755 });
    const jobs: (() => Promise<void>)[] = [
      // Overwritten when present: a file left half-written by a crash is never named by a tree.
      ...toShare.map(([name, content]) => () => writeFile(join(this.sharedDir, name), content, { mode: fileMode(name) })),
      ...toStage.map(([rel, hash, content]) => async () => {
        const target = join(dir, rel);
        if (rel === "nginx.conf") return writeFile(target, diskConf(content, shared), { mode: fileMode(rel) });
        if (base && previous[rel] === hash) {
          try {
            await link(join(this.treeDir(base), rel), target);
            return;
          } catch {
            // fall through to a fresh write
          }
        }
        await writeFile(target, content, { mode: fileMode(rel) });
      }),
    ];
    // Bounded parallelism: enough to hide syscall latency, not so much that it floods the pool.
    for (let i = 0; i < jobs.length; i += 64) await Promise.all(jobs.slice(i, i + 64).map((job) => job()));
    await Promise.all([writeFile(join(dir, MANIFEST), JSON.stringify(manifest)), writeFile(join(dir, SHARED), JSON.stringify(shared))]);
    // The staged tree keeps its name when it completes; replaceStaged updates these same objects.
    this.cache.set(generation, { manifest, shared });
    return { generation, dir, manifest, changed: changed.sort(), shared, main };
  }

  /** Replaces one staged file (isolation of a rejected host). */
  async replaceStaged(staged: StagedTree, path: string, content: string): Promise<void> {
    const rel = safeRelative(path);
    const hash = createHash("sha256").update(content).digest("hex");
    staged.manifest[rel] = hash;
    if (staged.shared[rel]) {
      staged.shared[rel] = sharedName(rel, hash);
      await writeFile(join(this.sharedDir, staged.shared[rel]), content, { mode: fileMode(rel) });
      await writeFile(join(staged.dir, "nginx.conf"), diskConf(staged.main, staged.shared), { mode: fileMode("nginx.conf") });
      await writeFile(join(staged.dir, SHARED), JSON.stringify(staged.shared));
    } else {
      const target = join(staged.dir, rel);
      await rm(target, { force: true });
      await writeFile(target, content, { mode: fileMode(rel) });
    }
    await writeFile(join(staged.dir, MANIFEST), JSON.stringify(staged.manifest));
  }

  /** Staging directory → complete tree (rename is atomic within the same directory). */
  async complete(stagingDir: string, generation: string): Promise<string> {
    const dir = this.treeDir(generation);
    await rename(stagingDir, dir);
    return dir;
  }

  /** Points `live` at `generation` atomically. */
  async swap(generation: string): Promise<void> {
    const tmp = `${this.livePath}.${randomBytes(4).toString("hex")}.tmp`;
    await symlink(join("trees", generation), tmp);
    await rename(tmp, this.livePath);
  }

  async discard(dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true });
  }

  /**
   * Keeps the live tree and `keep` (the last good one before it); removes the rest, and the
   * shared files no remaining tree (or staging directory) names. Called between applies.
   */
  async prune(keep: (string | null)[]): Promise<void> {
    const wanted = new Set(keep.filter(Boolean));
    const remaining: string[] = [];
    for (const name of await readdir(this.treesDir)) {
      if (name.startsWith(".staging-") || wanted.has(name)) {
        remaining.push(name);
        continue;
      }
      await rm(join(this.treesDir, name), { recursive: true, force: true });
    }
    for (const g of this.cache.keys()) if (!remaining.includes(g)) this.cache.delete(g);
    const named = new Set<string>();
    for (const name of remaining) for (const file of Object.values(await this.sharedMap(name))) named.add(file);
    const present = (await readdir(this.sharedDir, { recursive: true, withFileTypes: true }).catch(() => [])).filter((e) => e.isFile());
    await Promise.all(
      present.map((e) => {
        const rel = relative(this.sharedDir, join(e.parentPath ?? e.path, e.name));
        return named.has(rel) ? undefined : rm(join(this.sharedDir, rel), { force: true });
      }),
    );
  }

  /** Complete trees, newest first. */
  async generations(): Promise<string[]> {
    const names = (await readdir(this.treesDir)).filter((n) => n.startsWith("g-"));
    const withTimes = await Promise.all(names.map(async (n) => ({ n, t: (await lstat(join(this.treesDir, n))).mtimeMs })));
    return withTimes.sort((a, b) => b.t - a.t || (a.n < b.n ? 1 : -1)).map((x) => x.n);
  }
}

/** A relative path that cannot leave the tree. */
export function safeRelative(path: string): string {
  const n = normalize(path);
  if (!n || n.startsWith("..") || n.startsWith(sep) || n.includes(`${sep}..${sep}`) || n.endsWith(`${sep}..`) || n.includes("\0")) {
    throw new Error(`unsafe path in nginx tree: ${JSON.stringify(path)}`);
  }
  return n;
}

function fileMode(path: string): number {
  return /privkey\.pem$|\.key$/.test(path) ? 0o600 : 0o644;
}
