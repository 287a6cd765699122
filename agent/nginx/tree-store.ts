// Generated trees on disk: a staging directory per apply, complete trees under trees/, and the
// `live` symlink nginx runs from (`-c <prefix>/live/nginx.conf`). The swap renames a new
// symlink over `live`, which is atomic, so a crash at any moment leaves `live` pointing at a
// complete tree: the old one or the new one, never a half-written one. Files are immutable once
// a tree is complete, so an unchanged file is hard-linked from the previous tree instead of
// rewritten (a single-host save at 1,000 hosts writes one file).
import { createHash, randomBytes } from "node:crypto";
import { link, lstat, mkdir, readdir, readFile, readlink, rename, rm, symlink, writeFile } from "node:fs/promises";
import { dirname, join, normalize, sep } from "node:path";
import type { NginxTree } from "./types";

const MANIFEST = ".manifest.json";

export class TreeStore {
  readonly treesDir: string;
  readonly livePath: string;

  constructor(readonly prefix: string) {
    this.treesDir = join(prefix, "trees");
    this.livePath = join(prefix, "live");
  }

  async init(): Promise<void> {
    for (const d of [this.treesDir, join(this.prefix, "run", "tmp"), join(this.prefix, "logs", "hosts"), join(this.prefix, "acme", ".well-known", "acme-challenge")]) {
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

  async manifest(generation: string | null): Promise<Record<string, string>> {
    if (!generation) return {};
    try {
      return JSON.parse(await readFile(join(this.treeDir(generation), MANIFEST), "utf8")) as Record<string, string>;
    } catch {
      return {};
    }
  }

  async readFile(generation: string, path: string): Promise<string | null> {
    try {
      return await readFile(join(this.treeDir(generation), safeRelative(path)), "utf8");
    } catch {
      return null;
    }
  }

  /** Writes `files` into a new staging directory, linking files unchanged since `base`. */
  async stage(files: NginxTree, base: string | null): Promise<{ generation: string; dir: string; manifest: Record<string, string>; changed: string[] }> {
    const generation = `g-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
    const dir = join(this.treesDir, `.staging-${generation}`);
    await mkdir(dir, { mode: 0o755 });
    const previous = await this.manifest(base);
    const manifest: Record<string, string> = {};
    const dirs = new Set<string>();
    for (const path of Object.keys(files)) {
      const d = dirname(safeRelative(path));
      if (d !== ".") dirs.add(d);
    }
    for (const d of [...dirs].sort()) await mkdir(join(dir, d), { recursive: true, mode: 0o755 });
    const entries = Object.entries(files);
    const changed: string[] = [];
    // Bounded parallelism: enough to hide syscall latency, not so much that it floods the pool.
    for (let i = 0; i < entries.length; i += 64) {
      await Promise.all(
        entries.slice(i, i + 64).map(async ([path, content]) => {
          const rel = safeRelative(path);
          const hash = createHash("sha256").update(content).digest("hex");
          manifest[rel] = hash;
          if (previous[rel] !== hash) changed.push(rel);
          const target = join(dir, rel);
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
      );
    }
    await writeFile(join(dir, MANIFEST), JSON.stringify(manifest));
    return { generation, dir, manifest, changed: changed.sort() };
  }

  /** Replaces one staged file (isolation of a rejected host). */
  async replaceStaged(dir: string, path: string, content: string): Promise<void> {
    const target = join(dir, safeRelative(path));
    await rm(target, { force: true });
    await writeFile(target, content, { mode: fileMode(path) });
    const manifest = JSON.parse(await readFile(join(dir, MANIFEST), "utf8")) as Record<string, string>;
    manifest[safeRelative(path)] = createHash("sha256").update(content).digest("hex");
    await writeFile(join(dir, MANIFEST), JSON.stringify(manifest));
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

  /** Keeps the live tree and `keep` (the last good one before it); removes the rest. */
  async prune(keep: (string | null)[]): Promise<void> {
    const wanted = new Set(keep.filter(Boolean));
    for (const name of await readdir(this.treesDir)) {
      if (name.startsWith(".staging-") || wanted.has(name)) continue;
      await rm(join(this.treesDir, name), { recursive: true, force: true });
    }
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
