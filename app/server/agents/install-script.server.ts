// GET /install.sh: the agent installer (agent/install.sh, POSIX sh) with this control plane's
// public URL filled in as the default server. The script itself checks its arguments and that
// Docker is there before it changes anything (docs/decisions/130-agent-deployment.md).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { env } from "../env.server";
import { projectRoot } from "../paths.server";

const PLACEHOLDER = /^SERVER_URL_DEFAULT=''$/m;

/** A word for sh in single quotes: nothing inside is expanded; a quote becomes '\''. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Pure: the installer with `url` as its default control plane. */
export function renderInstallScript(template: string, url: string): string {
  if (!PLACEHOLDER.test(template)) throw new Error("agent/install.sh has no SERVER_URL_DEFAULT='' line to fill in");
  return template.replace(PLACEHOLDER, `SERVER_URL_DEFAULT=${shellQuote(url.replace(/\/+$/, ""))}`);
}

let template: string | undefined;

export function installScript(): string {
  template ??= readFileSync(join(projectRoot(), "agent", "install.sh"), "utf8");
  return renderInstallScript(template, env().PUBLIC_URL);
}
