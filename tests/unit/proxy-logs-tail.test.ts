// The agent's proxy-log tailer on real files: offsets, partial lines, rotation, truncation,
// resuming from stored offsets, first start from the end, and the host filter.
import { afterEach, describe, expect, test } from "vitest";
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lineTime, ProxyLogTailer, SERVER_NAMES_FILE, serverNameOf, SHARED_ERROR_LOG, type ProxyLogOffsets, type ProxyLogRecord } from "#agent/nginx/log-tail";
import { toStoredProxyLine } from "~/server/logs/proxy-log.server";
import * as render from "~/server/proxy/render";
import { referencedHostLogs, removeUnreferencedHostLogs, rotateHostLogs } from "#agent/nginx/log-rotate";

const dirs: string[] = [];
const tailers: ProxyLogTailer[] = [];
afterEach(async () => {
  for (const t of tailers.splice(0)) await t.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(options: { offsets?: ProxyLogOffsets; startAtEnd?: boolean; include?: (id: string) => boolean; serverNamesFile?: string; onServerNamesChanged?: () => Promise<void> } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "proxy-logs-tail-"));
  dirs.push(dir);
  const got: ProxyLogRecord[] = [];
  let last: ProxyLogOffsets = {};
  // Not started: each test drives the polls itself.
  const make = () => {
    const t = new ProxyLogTailer({
      dir,
      ...options,
      onBatch: async (records, offsets) => {
        got.push(...records);
        last = offsets;
      },
    });
    tailers.push(t);
    return t;
  };
  return { dir, got, offsets: () => last, make };
}

const access = (status: number, uri: string, msec = "1764097200.123") => `{"time":"2025-11-25T19:00:00+00:00","msec":"${msec}","method":"GET","uri":"${uri}","status":${status},"bytes":5}`;

describe("proxy log tailer", () => {
  test("emits complete lines only, follows appends by offset", async () => {
    const s = setup();
    const t = s.make();
    const file = join(s.dir, "h1.access.log");
    writeFileSync(file, `${access(200, "/a")}\n${access(404, "/b").slice(0, 20)}`);
    await t.pollNow();
    expect(s.got.map((r) => r.line)).toEqual([access(200, "/a")]);
    appendFileSync(file, `${access(404, "/b").slice(20)}\n`);
    await t.pollNow();
    expect(s.got.map((r) => [r.hostId, r.kind, r.line])).toEqual([
      ["h1", "access", access(200, "/a")],
      ["h1", "access", access(404, "/b")],
    ]);
    expect(s.offsets()["h1.access.log"]!.offset).toBe(Buffer.byteLength(`${access(200, "/a")}\n${access(404, "/b")}\n`));
  });

  test("rotation: the old file is finished, the new one followed from 0; truncation restarts at 0", async () => {
    const s = setup();
    const t = s.make();
    const file = join(s.dir, "h1.error.log");
    writeFileSync(file, "2025/11/25 19:00:00 [error] 1#0: one\n");
    await t.pollNow();
    appendFileSync(file, "2025/11/25 19:00:01 [warn] 1#0: two\n");
    renameSync(file, `${file}.1`);
    writeFileSync(file, "2025/11/25 19:00:02 [error] 1#0: three\n");
    await t.pollNow();
    writeFileSync(file, ""); // truncate in place (copytruncate)
    await t.pollNow();
    appendFileSync(file, "2025/11/25 19:00:03 [crit] 1#0: four\n");
    await t.pollNow();
    expect(s.got.map((r) => r.line.split(": ")[1])).toEqual(["one", "two", "three", "four"]);
    expect(s.got.map((r) => r.kind)).toEqual(["error", "error", "error", "error"]);
    truncateSync(file, 0);
    await t.pollNow();
    expect(t.offsets()["h1.error.log"]!.offset).toBe(0);
  });

  test("rotation: a renamed file is still read while nginx appends to it before reopening, then closed once quiet", async () => {
    const s = setup();
    const t = new ProxyLogTailer({ dir: s.dir, retireMs: 50, onBatch: async (records) => void s.got.push(...records) });
    tailers.push(t);
    const file = join(s.dir, "h1.access.log");
    writeFileSync(file, `${access(200, "/1", "1764097200.001")}\n`);
    await t.pollNow();
    renameSync(file, `${file}.1`);
    await t.pollNow(); // no file at the path yet: nothing is lost or forgotten
    appendFileSync(`${file}.1`, `${access(200, "/2", "1764097200.002")}\n`);
    writeFileSync(file, `${access(200, "/3", "1764097200.003")}\n`); // the master reopened
    await t.pollNow();
    appendFileSync(`${file}.1`, `${access(200, "/4", "1764097200.004")}\n`); // a worker had not reopened yet
    await t.pollNow();
    appendFileSync(file, `${access(200, "/5", "1764097200.005")}\n`);
    await new Promise((r) => setTimeout(r, 80));
    await t.pollNow();
    await t.pollNow();
    expect(s.got.map((r) => JSON.parse(r.line).uri)).toEqual(["/1", "/2", "/3", "/4", "/5"]);
  });

  test("rotateHostLogs: by size, keeping N generations; daily; the first run only records the day", async () => {
    const s = setup();
    const log = (n: string) => join(s.dir, n);
    writeFileSync(log("h1.access.log"), "x".repeat(200));
    writeFileSync(log("h1.error.log"), "small\n");
    writeFileSync(log("h2.access.log"), "");
    const opts = { maxBytes: 100, keep: 2, daily: true, minIntervalMs: 0 };
    const day1 = new Date(2026, 10, 25, 12);
    expect(await rotateHostLogs(s.dir, opts, day1)).toEqual(["h1.access.log"]);
    for (const content of ["y".repeat(150), "z".repeat(150)]) {
      writeFileSync(log("h1.access.log"), content);
      expect(await rotateHostLogs(s.dir, opts, day1)).toEqual(["h1.access.log"]);
    }
    expect(readdirSync(s.dir).filter((n) => n.startsWith("h1.access")).sort()).toEqual(["h1.access.log.1", "h1.access.log.2"]);
    expect(readFileSync(log("h1.access.log.1"), "utf8")).toBe("z".repeat(150));
    expect(readFileSync(log("h1.access.log.2"), "utf8")).toBe("y".repeat(150));
    // A new day rotates every non-empty log, whatever its size.
    expect(await rotateHostLogs(s.dir, opts, new Date(2026, 10, 26, 0, 5))).toEqual(["h1.error.log"]);
    expect(existsSync(log("h1.error.log.1"))).toBe(true);
    expect(await rotateHostLogs(s.dir, opts, new Date(2026, 10, 26, 9))).toEqual([]);
    // Not again within minIntervalMs of its last rotation (the tailer must see each new file first).
    const last = new Map<string, number>();
    writeFileSync(log("h2.access.log"), "x".repeat(200));
    const guarded = { ...opts, minIntervalMs: 60_000 };
    expect(await rotateHostLogs(s.dir, guarded, new Date(2026, 10, 26, 10), last)).toEqual(["h2.access.log"]);
    writeFileSync(log("h2.access.log"), "x".repeat(200));
    expect(await rotateHostLogs(s.dir, guarded, new Date(2026, 10, 26, 10, 0, 30), last)).toEqual([]);
    expect(await rotateHostLogs(s.dir, guarded, new Date(2026, 10, 26, 10, 1, 1), last)).toEqual(["h2.access.log"]);
    // The hosts' shared error log rotates like any per-host log.
    writeFileSync(log(SHARED_ERROR_LOG), "x".repeat(200));
    expect(await rotateHostLogs(s.dir, guarded, new Date(2026, 10, 26, 10, 3), last)).toEqual([SHARED_ERROR_LOG]);
    expect(existsSync(log(`${SHARED_ERROR_LOG}.1`))).toBe(true);
  });

  test("logs that no live config names (deleted hosts) are removed with their generations", async () => {
    const s = setup();
    const names = ["keep.access.log", "keep.access.log.1", "gone.access.log", "gone.error.log", "gone.error.log.3", SHARED_ERROR_LOG, `${SHARED_ERROR_LOG}.1`, ".rotated-day"];
    for (const n of names) writeFileSync(join(s.dir, n), "x\n");
    const referenced = referencedHostLogs({
      "nginx.conf": `http {\n    error_log logs/hosts/${SHARED_ERROR_LOG} warn;\n    include hosts/keep.conf;\n}\n`,
      "hosts/keep.conf": "server {\n    access_log logs/hosts/keep.access.log$ip_lazy_log infrapilot_json;\n}\n",
    });
    expect([...referenced].sort()).toEqual([SHARED_ERROR_LOG, "keep.access.log"]);
    expect((await removeUnreferencedHostLogs(s.dir, referenced)).sort()).toEqual(["gone.access.log", "gone.error.log", "gone.error.log.3"]);
    expect(readdirSync(s.dir).sort()).toEqual([".rotated-day", SHARED_ERROR_LOG, `${SHARED_ERROR_LOG}.1`, "keep.access.log", "keep.access.log.1"]);
  });

  test("first start follows from the end; stored offsets resume; new files start at 0", async () => {
    const s = setup({ startAtEnd: true });
    writeFileSync(join(s.dir, "h1.access.log"), `${access(200, "/old")}\n`);
    const t = s.make();
    await t.pollNow();
    expect(s.got).toEqual([]);
    appendFileSync(join(s.dir, "h1.access.log"), `${access(200, "/new")}\n`);
    writeFileSync(join(s.dir, "h2.access.log"), `${access(500, "/h2")}\n`);
    await t.pollNow();
    expect(s.got.map((r) => JSON.parse(r.line).uri)).toEqual(["/new", "/h2"]);
    const stored = t.offsets();
    await t.stop();

    appendFileSync(join(s.dir, "h1.access.log"), `${access(200, "/while-away")}\n`);
    const again: ProxyLogRecord[] = [];
    const t2 = new ProxyLogTailer({ dir: s.dir, offsets: stored, onBatch: async (records) => void again.push(...records) });
    tailers.push(t2);
    await t2.pollNow();
    expect(again.map((r) => JSON.parse(r.line).uri)).toEqual(["/while-away"]);
  });

  test("the shared error log: each line goes to the host its `server:` field names; others are dropped", async () => {
    expect([render.SHARED_ERROR_LOG, render.SERVER_NAMES_FILE]).toEqual([SHARED_ERROR_LOG, SERVER_NAMES_FILE]);
    const tree = mkdtempSync(join(tmpdir(), "proxy-logs-tree-"));
    dirs.push(tree);
    const namesFile = join(tree, SERVER_NAMES_FILE);
    writeFileSync(namesFile, JSON.stringify({ "app.test": "hA", "b.test": "hB", "theirs.test": "hTheirs" }));
    // Like the shipper: a host is included only once its hosts were re-read, which a new map triggers.
    let reloads = 0;
    const s = setup({ include: (id) => id !== "hTheirs" && (id !== "hNew" || reloads >= 2), serverNamesFile: namesFile, onServerNamesChanged: async () => void reloads++ });
    const line = (n: number, server: string | null, extra = "") =>
      `2025/11/25 19:00:0${n} [error] 7#7: *${n} connect() failed (111: Connection refused)${extra} while connecting to upstream` +
      (server === null ? "" : `, client: 127.0.0.1, server: ${server}, request: "GET /, server: b.test HTTP/1.1", upstream: "http://127.0.0.1:1/", host: "x"`);
    writeFileSync(
      join(s.dir, SHARED_ERROR_LOG),
      [line(1, "app.test"), line(2, "b.test"), line(3, null), line(4, "unknown.test"), line(5, "theirs.test"), line(6, "www.app.test"), line(7, "b.test", " [warn-ish]")].join("\n") + "\n",
    );
    const t = s.make();
    await t.pollNow();
    // www.app.test is not a first server_name: nginx never prints it; theirs.test is not followed.
    expect(s.got.map((r) => [r.hostId, r.kind, r.line.split("*")[1]!.split(" ")[0]])).toEqual([
      ["hA", "error", "1"],
      ["hB", "error", "2"],
      ["hB", "error", "7"],
    ]);
    expect(toStoredProxyLine(s.got[0]!, null)).toMatchObject({ proxyHostId: "hA", stream: "error", level: "error" });
    expect(t.offsets()[SHARED_ERROR_LOG]!.offset).toBeGreaterThan(0);
    expect(serverNameOf("2025/11/25 19:00:00 [notice] 1#1: signal process started")).toBeNull();
    // A host added with the next tree: its map is live before nginx serves (and logs for) it.
    writeFileSync(join(tree, "next.json"), JSON.stringify({ "app.test": "hA", "new.test": "hNew" }));
    renameSync(join(tree, "next.json"), namesFile);
    appendFileSync(join(s.dir, SHARED_ERROR_LOG), `${line(8, "new.test")}\n${line(9, "b.test")}\n`);
    await t.pollNow();
    expect(s.got.slice(3).map((r) => r.hostId)).toEqual(["hNew"]);
    expect(reloads).toBe(2);
    // The renderer writes that map: each enabled host's first domain, lower case.
    const rendered = render.renderTree({
      settings: { listenAddress: "127.0.0.1", httpPort: 80, httpsPort: 443, resolver: "127.0.0.11", user: null, defaultSite: { mode: "404" } },
      hosts: [
        { kind: "redirect", id: "r1", domains: ["Old.Test", "www.old.test"], enabled: true, http2: false, tls: { mode: "none", certificateId: null, forceHttps: false, hsts: { enabled: false, maxAge: 0, includeSubdomains: false, preload: false } }, headers: {} as never, advanced: "", redirect: { to: "https://new.test", code: 301, keepPath: true } },
      ],
      accessLists: [],
      certificates: [],
    });
    expect(JSON.parse(rendered[SERVER_NAMES_FILE]!)).toEqual({ "old.test": "r1" });
    expect(rendered["nginx.conf"]).toContain(`error_log logs/hosts/${SHARED_ERROR_LOG} warn;`);
    expect(rendered["hosts/r1.conf"]).not.toContain("error_log");
    // Without a server-name lookup the shared file is not read at all.
    const plain = setup();
    writeFileSync(join(plain.dir, SHARED_ERROR_LOG), `${line(1, "app.test")}\n`);
    const t2 = plain.make();
    await t2.pollNow();
    expect(plain.got).toEqual([]);
  });

  test("only included hosts are read", async () => {
    const s = setup({ include: (id) => id === "mine" });
    writeFileSync(join(s.dir, "mine.access.log"), `${access(200, "/mine")}\n`);
    writeFileSync(join(s.dir, "theirs.access.log"), `${access(200, "/theirs")}\n`);
    writeFileSync(join(s.dir, "not-a-log.txt"), "x\n");
    const t = s.make();
    await t.pollNow();
    expect(s.got.map((r) => r.hostId)).toEqual(["mine"]);
    expect(Object.keys(t.offsets())).toEqual(["mine.access.log"]);
  });

  test("line times and stored lines: msec of the access format, levels from status and nginx level", () => {
    expect(lineTime(access(200, "/", "1764097200.123"), "access")).toBe("2025-11-25T19:00:00.123000Z");
    const error = "2025/11/25 19:00:02 [error] 1#0: *1 connect() failed (111: Connection refused) while connecting to upstream";
    expect(lineTime(error, "error")).toBe(new Date(2025, 10, 25, 19, 0, 2).toISOString().replace("Z", "000Z"));
    const levels = [200, 301, 404, 502].map((status) => toStoredProxyLine({ hostId: "h", kind: "access", time: "t", line: access(status, "/") }, "a").level);
    expect(levels).toEqual(["info", "info", "warn", "error"]);
    expect(toStoredProxyLine({ hostId: "h", kind: "error", time: "t", line: error }, null)).toMatchObject({ proxyHostId: "h", containerId: null, stream: "error", level: "error" });
    expect(toStoredProxyLine({ hostId: "h", kind: "error", time: "t", line: error.replace("[error]", "[warn]") }, null).level).toBe("warn");
  });
});
