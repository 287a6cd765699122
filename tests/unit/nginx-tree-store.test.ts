// The agent's tree store on real files: included (per-host) files live once in `shared/` under
// their content hash, a tree's nginx.conf includes them relative to its own directory, a
// single-host change writes only that host's file, and pruning drops what no kept tree names.
import { afterEach, describe, expect, test } from "vitest";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { diskConf, sharedName, TreeStore, unshare } from "#agent/nginx/tree-store";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tree(hosts: Record<string, string>) {
  const main = `http {\n${Object.keys(hosts).map((id) => `    include hosts/${id}.conf;\n`).join("")}}\n`;
  return { "nginx.conf": main, "access/l1.htpasswd": "u:{SSHA}x\n", ...Object.fromEntries(Object.entries(hosts).map(([id, c]) => [`hosts/${id}.conf`, c])) };
}

async function commit(store: TreeStore, files: Record<string, string>) {
  const base = await store.liveGeneration();
  const staged = await store.stage(files, base);
  await store.complete(staged.dir, staged.generation);
  await store.swap(staged.generation);
  await store.prune([staged.generation, base]);
  return staged;
}

const sharedFiles = (prefix: string) => readdirSync(join(prefix, "shared", "hosts")).sort();

describe("tree store", () => {
  test("shares included files by content; a one-host change writes one shared file; prune keeps the live and previous trees' files", async () => {
    const prefix = mkdtempSync(join(tmpdir(), "tree-store-"));
    dirs.push(prefix);
    const store = new TreeStore(prefix);
    await store.init();
    const first = await commit(store, tree({ a: "server { # a1\n}\n", b: "server { # b1\n}\n" }));
    expect(first.changed).toEqual(["access/l1.htpasswd", "hosts/a.conf", "hosts/b.conf", "nginx.conf"]);
    // The tree holds nginx.conf (includes rewritten), the non-included files and its manifests.
    expect(readdirSync(join(prefix, "live")).sort()).toEqual([".manifest.json", ".shared.json", "access", "nginx.conf"]);
    const onDisk = readFileSync(join(prefix, "live", "nginx.conf"), "utf8");
    expect(onDisk).toContain(`include ../../shared/${first.shared["hosts/a.conf"]};`);
    // As nginx resolves it: `..` after the `live` symlink is physical (path.join would not be).
    expect(readFileSync(`${prefix}/live/../../shared/${first.shared["hosts/a.conf"]}`, "utf8")).toBe("server { # a1\n}\n");
    expect(await store.readFile((await store.liveGeneration())!, "hosts/b.conf")).toBe("server { # b1\n}\n");

    const second = await commit(store, tree({ a: "server { # a2\n}\n", b: "server { # b1\n}\n" }));
    expect(second.changed).toEqual(["hosts/a.conf"]); // nginx.conf as rendered is the same; only its disk form names the new file
    expect(second.shared["hosts/b.conf"]).toBe(first.shared["hosts/b.conf"]);
    expect(sharedFiles(prefix)).toEqual([first.shared["hosts/a.conf"], second.shared["hosts/a.conf"], first.shared["hosts/b.conf"]].map((n) => n!.slice("hosts/".length)).sort());

    // A third tree: the first one is pruned, and with it a1's shared file; b is gone too.
    const third = await commit(store, tree({ a: "server { # a3\n}\n" }));
    expect(sharedFiles(prefix)).toEqual([second.shared["hosts/a.conf"], third.shared["hosts/a.conf"], first.shared["hosts/b.conf"]].map((n) => n!.slice("hosts/".length)).sort());
    await commit(store, tree({ a: "server { # a3\n}\n" }));
    expect(sharedFiles(prefix)).toEqual([third.shared["hosts/a.conf"]!.slice("hosts/".length)]);
    expect(existsSync(join(prefix, "trees", first.generation))).toBe(false);
  });

  test("names: hashed shared names, disk includes, and nginx's messages mapped back to logical paths", () => {
    expect(sharedName("hosts/x.conf", "0123456789abcdef0123")).toBe("hosts/x.0123456789abcdef.conf");
    expect(diskConf("http {\n    include hosts/x.conf;\n    include mime.types;\n}\n", { "hosts/x.conf": "hosts/x.0123456789abcdef.conf" })).toBe(
      "http {\n    include ../../shared/hosts/x.0123456789abcdef.conf;\n    include mime.types;\n}\n",
    );
    const staging = "/p/trees/.staging-g-1";
    expect(unshare(`nginx: [emerg] unknown directive "x" in /p/live/../../shared/hosts/x.0123456789abcdef.conf:3`, staging)).toBe(`nginx: [emerg] unknown directive "x" in ${staging}/hosts/x.conf:3`);
  });
});
