// The installer's default server is filled in by the control plane: whatever PUBLIC_URL holds, sh
// reads back exactly that string and expands nothing in it.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { renderInstallScript, shellQuote } from "~/server/agents/install-script.server";

const TEMPLATE = readFileSync(new URL("../../agent/install.sh", import.meta.url), "utf8");

describe("renderInstallScript", () => {
  test("fills the one SERVER_URL_DEFAULT line, without a trailing slash", () => {
    const script = renderInstallScript(TEMPLATE, "https://panel.example.com/");
    expect(script.match(/^SERVER_URL_DEFAULT=.*$/gm)).toEqual(["SERVER_URL_DEFAULT='https://panel.example.com'"]);
    expect(script.length - TEMPLATE.length).toBe("https://panel.example.com".length);
  });

  test("refuses a template without the line to fill", () => {
    expect(() => renderInstallScript("#!/bin/sh\necho hi\n", "https://x.test")).toThrow(/SERVER_URL_DEFAULT/);
  });

  test.each(["https://a.test/$(touch /tmp/x)", "https://a.test/`id`", "https://a.test/it's", "https://a.test/$HOME\\n"])("sh reads %s back unexpanded", (value) => {
    expect(execFileSync("/usr/bin/dash", ["-c", `x=${shellQuote(value)}; printf %s "$x"`], { encoding: "utf8" })).toBe(value);
  });
});

describe("installCommands", () => {
  test("the docker line runs what install.sh runs: host network, the socket's group, the protection label, server and token", async () => {
    const { installCommands } = await import("~/server/agents/enrollment.server");
    const lines = installCommands("https://panel.example.com/", "ipe_secret");
    expect(lines.installCommand).toBe("curl -fsSL https://panel.example.com/install.sh | sh -s -- --token=ipe_secret");
    for (const part of ["--restart unless-stopped", "--network host", '--group-add "$(stat -c %g /var/run/docker.sock)"', "--label io.infrapilot.protected=true", "-v /var/run/docker.sock:/var/run/docker.sock", "-v infrapilot-agent:/data", "-e AGENT_SERVER_URL=https://panel.example.com ", "-e AGENT_TOKEN=ipe_secret "]) {
      expect(lines.dockerCommand).toContain(part);
      if (!part.includes("AGENT_TOKEN") && !part.includes("stat -c")) expect(TEMPLATE.replace(/\\\n\s*/g, "")).toContain(part.split(" ")[0]!);
    }
    expect(lines.dockerCommand.endsWith(" infrapilot/agent:latest")).toBe(true);
    expect(TEMPLATE).toContain("infrapilot/agent:latest");
    expect(lines.npmCommand).toBe("AGENT_SERVER_URL=https://panel.example.com AGENT_TOKEN=ipe_secret AGENT_DATA_DIR=./agent-data npm run agent");
  });
});
