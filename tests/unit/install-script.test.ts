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
