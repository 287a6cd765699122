// Hardening of the container surface against the real server and the shared test Docker engine
// (docs/decisions/050): InfraPilot's own deployment (the io.infrapilot.protected label, the
// NGINX_CONTAINER) is never stopped, restarted, deleted or shelled into; terminals that reach the
// host (Docker socket, privileged) are for super admins; viewers read no credentials from env,
// command or labels, and an admin reveals one value at a time, audited without the value.
// Every container is named after this run and removed afterwards.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { docker, removeTestContainers, TEST_IMAGE, TEST_LABEL } from "../setup/docker";
import { connectUi, IDLE, localAgentId, runContainer, terminalText, userClient } from "../setup/containers";
import { Client, setUpServer, startServer, type TestServer } from "../setup/server";

const RUN_ID = `protect-${process.pid}-${Date.now().toString(36)}`;
const dockerHost = inject("dockerHost");
const name = (suffix: string) => `${RUN_ID}-${suffix}`;
const NGINX_NAME = name("nginx");
const PROTECTED = ["--label", "io.infrapilot.protected=true"];

let server: TestServer;
let superAdmin: Client;
let admin: Client;
let viewer: Client;
let agentId: string;
let base: string;
let scratch: string;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "infrapilot-protect-"));
  server = await startServer({ env: { DOCKER_HOST: dockerHost, NGINX_CONTAINER: NGINX_NAME } });
  superAdmin = await setUpServer(server);
  admin = await userClient(server, superAdmin, "admin", "admin2@example.com");
  viewer = await userClient(server, superAdmin, "viewer", "viewer@example.com");
  agentId = await localAgentId(superAdmin);
  base = `/api/v1/agents/${agentId}/containers`;
});

afterAll(async () => {
  await server?.stop();
  await removeTestContainers(dockerHost, RUN_ID);
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

async function state(id: string): Promise<string> {
  return (await docker(dockerHost, ["inspect", "-f", "{{.State.Status}}", id])).trim();
}

async function openTerminal(client: Client, containerId: string) {
  const ui = await connectUi(server, client);
  try {
    const result = await ui.ack("terminal:open", { agentId, containerId, shell: "sh", cols: 80, rows: 24 });
    if (result.ok) {
      // A real shell answers.
      ui.socket.emit("terminal:frame", JSON.stringify({ type: "input", data: "echo shell-$((40+2))\n" }));
      await terminalText(ui, String(result.sessionId), /shell-42/);
      ui.socket.emit("terminal:frame", JSON.stringify({ type: "exit" }));
    }
    return result;
  } finally {
    ui.close();
  }
}

describe("InfraPilot's own deployment", () => {
  const cases = [
    { what: "a container labelled io.infrapilot.protected=true", suffix: "labelled", flags: PROTECTED, reason: /label io\.infrapilot\.protected=true/ },
    { what: "the container named by NGINX_CONTAINER", suffix: "nginx", flags: [], reason: /NGINX_CONTAINER/ },
  ];

  for (const { what, suffix, flags, reason } of cases) {
    test(`refuses stop, restart and delete of ${what} with 409 self_protected, even for a super admin`, async () => {
      const id = await runContainer(dockerHost, RUN_ID, name(suffix), IDLE, flags);
      for (const verb of ["stop", "restart"]) {
        const res = await superAdmin.post(`${base}/${id}/${verb}`, {});
        expect(res.status, verb).toBe(409);
        expect((await res.json()).error, verb).toMatchObject({ code: "self_protected", message: expect.stringMatching(reason) });
      }
      const removed = await superAdmin.request(`${base}/${id}?force=true`, { method: "DELETE" });
      expect(removed.status).toBe(409);
      expect((await removed.json()).error.code).toBe("self_protected");
      // The page's own form action is refused the same way, with the reason.
      const form = await superAdmin.form("/containers", { intent: "stop", agentId, containerId: id });
      expect(await form.text()).toMatch(reason);
      expect(await state(id)).toBe("running");

      const audit = await (await superAdmin.request(`/api/v1/audit?target=${id}&limit=50`)).json();
      const refusals = audit.items.filter((e: { outcome: string; details: { reason?: string } }) => e.outcome === "denied" && e.details.reason === "self_protected");
      expect(refusals.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(["container.stop", "container.restart", "container.remove"]));
    });

    test(`refuses a terminal in ${what} with 409 self_protected`, async () => {
      const id = (await docker(dockerHost, ["ps", "-aq", "--no-trunc", "--filter", `name=^${name(suffix)}$`])).trim() || (await runContainer(dockerHost, RUN_ID, name(suffix), IDLE, flags));
      const result = await openTerminal(superAdmin, id);
      expect(result).toMatchObject({ ok: false, error: { code: "self_protected", message: expect.stringMatching(reason) } });
      const audit = await (await superAdmin.request(`/api/v1/audit?action=container.terminal.open&target=${id}`)).json();
      expect(audit.items.map((e: { outcome: string }) => e.outcome)).toEqual(["denied"]);
    });
  }

  test("shows the reason in the list, the detail and the page, and still lets it be started", async () => {
    const id = (await docker(dockerHost, ["create", "--name", name("stopped-own"), "--label", `${TEST_LABEL}=${RUN_ID}`, ...PROTECTED, TEST_IMAGE, ...IDLE])).trim();
    const list = await (await viewer.request(`${base}?all=true&q=${RUN_ID}`)).json();
    expect(list.items.find((c: { id: string }) => c.id === id).protection).toMatch(/io\.infrapilot\.protected/);
    const detail = await (await viewer.request(`${base}/${id}`)).json();
    expect(detail.protection).toMatch(/InfraPilot does not open terminals in it, stop, restart or delete it/);
    const page = await (await superAdmin.request(`/containers/${agentId}/${id}`)).text();
    expect(page).toContain('data-testid="protection-note"');
    // Starting harms nothing (InfraPilot starts its own nginx itself).
    expect((await superAdmin.post(`${base}/${id}/start`, {})).status).toBe(200);
    expect(await state(id)).toBe("running");
  });

  test("other containers are not protected: they stop, restart, open a terminal and delete as before", async () => {
    const id = await runContainer(dockerHost, RUN_ID, name("ordinary"), IDLE, ["--label", "io.infrapilot.protected=false"]);
    expect((await (await viewer.request(`${base}/${id}`)).json()).protection).toBeNull();
    expect(await openTerminal(admin, id)).toMatchObject({ ok: true });
    expect((await admin.post(`${base}/${id}/restart`, {})).status).toBe(200);
    expect((await admin.post(`${base}/${id}/stop`, {})).status).toBe(200);
    expect((await admin.request(`${base}/${id}`, { method: "DELETE" })).status).toBe(204);
  });
});

describe("terminals that reach the host", () => {
  test("refuses an admin a terminal in a container that mounts the Docker socket (403, audited with its name); a super admin gets one", async () => {
    const dummy = join(scratch, "docker.sock");
    writeFileSync(dummy, "");
    const id = await runContainer(dockerHost, RUN_ID, name("socket"), IDLE, ["-v", `${dummy}:/var/run/docker.sock`]);
    const detail = await (await admin.request(`${base}/${id}`)).json();
    expect(detail.terminalRestriction).toMatch(/Docker socket \(\/var\/run\/docker\.sock\)/);

    const refused = await openTerminal(admin, id);
    expect(refused).toMatchObject({ ok: false, error: { code: "forbidden", message: expect.stringMatching(/only a super admin/) } });
    expect(await openTerminal(superAdmin, id)).toMatchObject({ ok: true });

    const audit = await (await superAdmin.request(`/api/v1/audit?action=container.terminal.open&target=${id}`)).json();
    const byOutcome = Object.fromEntries(audit.items.map((e: { outcome: string; details: Record<string, unknown> }) => [e.outcome, e.details]));
    expect(byOutcome.denied).toMatchObject({ name: name("socket"), reason: expect.stringMatching(/Docker socket/) });
    expect(byOutcome.success).toMatchObject({ name: name("socket"), hostAccess: expect.stringMatching(/Docker socket/) });
  });

  test("refuses an admin a terminal in a privileged container before anything reaches the engine", async () => {
    // The test engine cannot start privileged containers: a created one is privileged on inspect,
    // which is what the rule reads. The super admin passes the rule and meets the engine's state.
    const id = (await docker(dockerHost, ["create", "--privileged", "--name", name("privileged"), "--label", `${TEST_LABEL}=${RUN_ID}`, TEST_IMAGE, ...IDLE])).trim();
    expect((await (await admin.request(`${base}/${id}`)).json()).privileged).toBe(true);
    expect(await openTerminal(admin, id)).toMatchObject({ ok: false, error: { code: "forbidden", message: expect.stringMatching(/privileged/) } });
    expect(await openTerminal(superAdmin, id)).toMatchObject({ ok: false, error: { code: "conflict", message: expect.stringMatching(/not running/) } });
  });
});

describe("secrets in container configuration", () => {
  const SECRETS = ["s3cr3t-db", "smtp-pw-77", "dsn-key-55", "plain-pass-9", "cli-pw-31", "label-pw-42", "mysql-pw-8"];
  let id: string;

  beforeAll(async () => {
    id = await runContainer(
      dockerHost,
      RUN_ID,
      name("secrets"),
      ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done", "--db-password", "cli-pw-31", "-pmysql-pw-8"],
      [
        "-e", "DATABASE_URL=postgres://app:s3cr3t-db@db:5432/app",
        "-e", "SMTP_URL=smtp://mailer:smtp-pw-77@smtp.example.com:587",
        "-e", "SENTRY_DSN=https://dsn-key-55@o1.ingest.example.io/1",
        "-e", "ADMIN_PASS=plain-pass-9",
        "-e", "GREETING=hello",
        "--label", "backup.target=s3://backup:label-pw-42@store/bucket",
      ],
    );
  });

  test("a viewer reads no credential from env, command or labels, and the rest stays readable", async () => {
    const res = await viewer.request(`${base}/${id}`);
    expect(res.status).toBe(200);
    const body = await res.json();
    const text = JSON.stringify(body);
    for (const secret of SECRETS) expect(text, secret).not.toContain(secret);
    const env = Object.fromEntries(body.env.map((e: { key: string; value: string }) => [e.key, e.value]));
    expect(env).toMatchObject({
      DATABASE_URL: "postgres://app:••••@db:5432/app",
      SMTP_URL: "smtp://mailer:••••@smtp.example.com:587",
      SENTRY_DSN: "••••",
      ADMIN_PASS: "••••",
      GREETING: "hello",
    });
    expect(body.config.cmd).toEqual(expect.arrayContaining(["--db-password", "••••", "-p••••"]));
    expect(body.config.labels["backup.target"]).toBe("s3://backup:••••@store/bucket");
    expect(body.secrets).toEqual(expect.arrayContaining(["env:DATABASE_URL", "env:SMTP_URL", "env:SENTRY_DSN", "env:ADMIN_PASS", "cmd", "label:backup.target"]));

    // Nor from the list, the live list, or the page (environment and config tabs).
    const list = await (await viewer.request(`${base}?all=true&q=${RUN_ID}`)).text();
    const ui = await connectUi(server, viewer);
    let live = "";
    try {
      expect(await ui.ack("containers:subscribe", { agentId })).toMatchObject({ ok: true });
      live = JSON.stringify(await ui.waitFor("containers:list"));
    } finally {
      ui.close();
    }
    const pages = await Promise.all(["environment", "config"].map(async (tab) => (await viewer.request(`/containers/${agentId}/${id}?tab=${tab}`)).text()));
    for (const secret of SECRETS) {
      expect(list, secret).not.toContain(secret);
      expect(live, secret).not.toContain(secret);
      for (const html of pages) expect(html, secret).not.toContain(secret);
    }
    // A viewer cannot reveal, not even through the page's query string.
    expect((await viewer.request(`${base}/${id}?reveal=env:DATABASE_URL`)).status).toBe(403);
    expect(await (await viewer.request(`/containers/${agentId}/${id}?tab=environment&reveal=env:DATABASE_URL`)).text()).not.toContain("s3cr3t-db");
  });

  test("an admin reveals exactly one value; the audit names the container and the key, never the value", async () => {
    const revealed = await (await admin.request(`${base}/${id}?reveal=env:DATABASE_URL`)).json();
    const env = Object.fromEntries(revealed.env.map((e: { key: string; value: string }) => [e.key, e.value]));
    expect(env.DATABASE_URL).toBe("postgres://app:s3cr3t-db@db:5432/app");
    expect(env.SMTP_URL).toBe("smtp://mailer:••••@smtp.example.com:587");
    expect(revealed.revealed).toBe("env:DATABASE_URL");
    const label = await (await admin.request(`${base}/${id}?reveal=label:backup.target`)).json();
    expect(label.config.labels["backup.target"]).toBe("s3://backup:label-pw-42@store/bucket");
    expect(JSON.stringify(label.env)).not.toContain("s3cr3t-db");
    expect((await admin.request(`${base}/${id}?reveal=true`)).status).toBe(400);

    const audit = await (await superAdmin.request(`/api/v1/audit?action=container.secrets.reveal&target=${id}`)).json();
    expect(audit.items.map((e: { actorEmail: string; details: { field: string; name: string } }) => [e.actorEmail, e.details.name, e.details.field]).sort()).toEqual([
      ["admin2@example.com", name("secrets"), "env:DATABASE_URL"],
      ["admin2@example.com", name("secrets"), "label:backup.target"],
    ]);
    const exported = await (await superAdmin.request(`/api/v1/audit/export?format=json`)).text();
    for (const secret of SECRETS) expect(exported, secret).not.toContain(secret);
  });
});
