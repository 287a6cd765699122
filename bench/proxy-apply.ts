// Proxy apply benchmark (issue 4): N hosts created through the domain verbs (bulk import, one
// transaction), then the time of the bulk apply, of a single-host save at that N (the UI's, which
// answers at nginx's signal, and the REST API's default, which answers once nginx confirmed), and
// of a bare `nginx -t` on the same live tree in the same run; plus `nginx -t` of a minimal config with the
// same number of one-block servers as the baseline for the rendered tree's parse cost.
// Usage: npx tsx bench/proxy-apply.ts [--sizes 10,100,1000,5000] [--runs 5]
// Needs: a PostgreSQL superuser URL in TEST_DATABASE_URL or a local one at 127.0.0.1:5432 (trust).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { cpus, loadavg, totalmem, tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import pg from "pg";

const args = process.argv.slice(2);
const sizes = (args[args.indexOf("--sizes") + 1] && args.includes("--sizes") ? args[args.indexOf("--sizes") + 1]! : "10,100,1000,5000").split(",").map(Number);
const runs = args.includes("--runs") ? Number(args[args.indexOf("--runs") + 1]) : 5;
const NGINX = process.env.NGINX_BIN ?? "/usr/sbin/nginx";
const adminBase = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

const work = mkdtempSync(join(tmpdir(), "infrapilot-bench-proxy-"));
process.env.NGINX_BIN = NGINX;
process.env.NGINX_LISTEN_ADDRESS = "127.0.0.1";
process.env.NGINX_HTTP_PORT = "18980";
process.env.NGINX_HTTPS_PORT = "18981";
process.env.DATA_DIR = join(work, "data");
process.env.LOG_LEVEL = "warn";
const confDir = join(work, "nginx");
process.env.NGINX_CONF_DIR = confDir;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(1)} ms`;

function nginxTest(prefix: string, conf: string): number {
  const t = performance.now();
  execFileSync(NGINX, ["-q", "-t", "-p", prefix, "-c", conf], { stdio: "pipe" });
  return performance.now() - t;
}

function minimalTree(dir: string, n: number): string {
  mkdirSync(join(dir, "run", "tmp"), { recursive: true });
  mkdirSync(join(dir, "logs"), { recursive: true });
  const servers = Array.from({ length: n }, (_, i) => `server { listen 127.0.0.1:18980; server_name h${i}.bench.test; location / { proxy_pass http://127.0.0.1:${10000 + (i % 50000)}; } }\n`).join("");
  const file = join(dir, "minimal.conf");
  writeFileSync(file, `pid run/nginx.pid; error_log logs/error.log; events {} http { access_log off; server_names_hash_bucket_size 128; server_names_hash_max_size 65536; client_body_temp_path run/tmp; proxy_temp_path run/tmp; fastcgi_temp_path run/tmp; uwsgi_temp_path run/tmp; scgi_temp_path run/tmp;\n${servers}}\n`);
  return file;
}

const dbName = `bench_proxy_${Date.now()}`;
const admin = new pg.Client({ connectionString: adminBase });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
const dbUrl = new URL(adminBase);
dbUrl.pathname = `/${dbName}`;

const { bootstrapDatabase } = await import("~/server/db/bootstrap.server");
const { connectDatabase, disconnectDatabase, withOrg } = await import("~/server/db/client.server");
const urls = await bootstrapDatabase({ adminUrl: dbUrl.toString(), dataDir: process.env.DATA_DIR });
connectDatabase(urls.appUrl, urls.migrationCount);
const hosts = await import("~/server/proxy/hosts.server");
const { localNginx } = await import("~/server/agents/local-host.server");
const { startApply } = await import("~/server/proxy/apply.server");

const rows: string[][] = [];
try {
  for (const n of sizes) {
    // A fresh organization and agent per size; the apply renders only that agent's hosts, so the
    // one nginx prefix holds exactly this size's tree.
    const orgId = randomUUID();
    const agentId = await withOrg(orgId, async (tx) => {
      await tx.organization.create({ data: { id: orgId, name: `bench ${n}`, slug: `bench-${n}-${orgId.slice(0, 8)}` } });
      return (await tx.agent.create({ data: { orgId, name: "local" } })).id;
    });
    const actor = { userId: randomUUID(), orgId, role: "super_admin", email: "bench@example.com", name: "Bench", mfaEnabled: false, sessionId: "bench" } as const;
    const bodies = Array.from({ length: n }, (_, i) => ({
      kind: "proxy",
      domains: [`h${i}.bench.test`],
      upstream: { scheme: "http", host: "127.0.0.1", port: 10000 + (i % 50000) },
      blockExploits: true,
      headers: { frameOptions: "SAMEORIGIN", contentTypeOptions: true },
    }));
    const t = performance.now();
    const imported = await hosts.importProxyHosts(actor, agentId, bodies);
    const bulkMs = performance.now() - t;
    if (!imported.apply.ok) throw new Error(`bulk apply failed: ${imported.apply.message}`);

    const live = join(confDir, "live", "nginx.conf");
    const prefix = confDir + "/";
    const tests: number[] = [];
    const uiSaves: number[] = [];
    const confirmedSaves: number[] = [];
    const settle = async (id: string) => {
      for (;;) {
        const h = await hosts.getProxyHost(actor, agentId, id);
        if (h.status.state !== "pending") return h;
        await new Promise((r) => setTimeout(r, 2));
      }
    };
    // nginx's own refusal of a reload (e.g. EMFILE when the per-host logs exceed RLIMIT_NOFILE:
    // two files per host, held twice during a reload) is reported in the row, not hidden.
    let refused: string | null = null;
    for (let r = 0; r < runs && !refused; r++) {
      tests.push(nginxTest(prefix, live));
      const id = imported.ids[r % imported.ids.length]!;
      // The UI's save: answers once the change passed its test, is live and nginx was signalled.
      let s = performance.now();
      const ui = await hosts.updateProxyHost(actor, agentId, id, { ...bodies[r % bodies.length], clientMaxBodySizeMb: 2 + r }, { wait: false });
      uiSaves.push(performance.now() - s);
      if (ui.status.state !== "pending" && ui.status.state !== "ok") throw new Error(`UI save failed: ${ui.status.message}`);
      const confirmed = await settle(id);
      if (confirmed.status.state !== "ok") {
        refused = `nginx refused the reload: ${confirmed.status.message?.split("\n").pop()}`;
        break;
      }
      // The REST API's default save: answers once nginx confirmed the reload (serving).
      s = performance.now();
      const saved = await hosts.updateProxyHost(actor, agentId, id, { ...bodies[r % bodies.length], clientMaxBodySizeMb: 100 + r });
      confirmedSaves.push(performance.now() - s);
      if (saved.status.state !== "ok") throw new Error(`save failed: ${saved.status.message}`);
    }
    const minimal = minimalTree(join(work, `minimal-${n}`), n);
    const minimalTests = Array.from({ length: runs }, () => nginxTest(join(work, `minimal-${n}`) + "/", minimal));
    // Phases of one more single-host change (committed directly, then one run): at the signal and at the confirmation.
    await withOrg(orgId, async (tx) => {
      const row = await tx.proxyHost.findUniqueOrThrow({ where: { id: imported.ids[0]! }, select: { config: true } });
      await tx.proxyHost.update({ where: { id: imported.ids[0]! }, data: { config: { ...(row.config as object), clientMaxBodySizeMb: 77 }, status: "pending" } });
    });
    const run = startApply(orgId, agentId);
    const [accepted, done] = await Promise.all([run.accepted, run.done]);
    if (!refused && (!done.ok || done.testMode !== "quick")) throw new Error(`phase run: ${done.testMode} ${done.message}`);
    const phases = (o: typeof done) => `load ${ms(o.timings.loadMs)}, render ${ms(o.timings.renderMs)}, stage ${ms(o.timings.stageMs)}, test ${ms(o.timings.testMs)}, swap ${ms(o.timings.swapMs)}, ${o.confirmed ? "reload" : "signal"} ${ms(o.timings.reloadMs)}, record ${ms(o.timings.recordMs)}`;
    const test = median(tests);
    rows.push([
      String(n),
      ms(bulkMs),
      `${imported.apply.tests} / ${imported.apply.reloads}`,
      ms(test),
      ms(median(uiSaves)),
      `${(median(uiSaves) / test).toFixed(2)}×`,
      confirmedSaves.length ? ms(median(confirmedSaves)) : "—",
      confirmedSaves.length ? `${(median(confirmedSaves) / test).toFixed(2)}×` : "—",
      ms(median(minimalTests)),
      `${(test / median(minimalTests)).toFixed(2)}×`,
      `${refused ? `${refused} (UI saves measured: ${uiSaves.length}); ` : ""}${accepted.testMode} test; at the signal (${ms(accepted.durationMs)}): ${phases(accepted)}; ${done.ok ? "confirmed" : "refused"} (${ms(done.durationMs)}): ${phases(done)}`,
    ]);
    console.log(rows.at(-1)!.join(" | "));
  }
} finally {
  await localNginx().stop().catch(() => {});
  await disconnectDatabase();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
  rmSync(work, { recursive: true, force: true });
}

console.log(`\nMachine: ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${execFileSync(NGINX, ["-v"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }) || "nginx"}`);
console.log(`Runs per measure: ${runs} (medians)\n`);
console.log(`Load average at the end: ${loadavg().map((x) => x.toFixed(2)).join(", ")}\n`);
console.log("| hosts | bulk import + apply | nginx -t / reloads in bulk | bare nginx -t on the same tree | UI save (answer at signal) | UI save ÷ test | confirmed save (REST default) | confirmed ÷ test | nginx -t, minimal one-block tree | rendered ÷ minimal | one more save by phase |");
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
