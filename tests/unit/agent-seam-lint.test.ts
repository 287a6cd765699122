// The lint rule that keeps the seam (docs/decisions/054): a domain module that reaches the
// in-process built-in agent instead of resolving an agent id fails `npm run lint`.
import { describe, expect, it } from "vitest";
import { ESLint } from "eslint";

const eslint = new ESLint();

async function restricted(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

describe("lint: the built-in agent stays out of domain modules", () => {
  it("refuses localAgent imported from the registry in a domain module", async () => {
    const messages = await restricted(`import { localAgent } from "../agents/registry.server";\nexport const a = localAgent;\n`, "app/server/health/seam-probe.server.ts");
    expect(messages.join("\n")).toMatch(/agentFor\/hostFor/);
  });

  it("refuses agent/local and the built-in host's module in a domain module", async () => {
    expect(await restricted(`import { LocalAgent } from "#agent/local/local-agent";\nexport const a = LocalAgent;\n`, "app/server/logs/seam-probe.server.ts")).toHaveLength(1);
    expect(await restricted(`import { localHost } from "../agents/local-host.server";\nexport const a = localHost;\n`, "app/server/proxy/seam-probe.server.ts")).toHaveLength(1);
    expect(await restricted(`import { localNginx } from "~/server/agents/local-host.server";\nexport const a = localNginx;\n`, "app/routes/seam-probe.tsx")).toHaveLength(1);
  });

  it("lets domain modules resolve agents through the registry, and the registry know the built-in agent", async () => {
    expect(await restricted(`import { agentFor, hostFor } from "../agents/registry.server";\nexport const a = [agentFor, hostFor];\n`, "app/server/health/seam-probe.server.ts")).toEqual([]);
    expect(await restricted(`import { localAgent } from "./local-host.server";\nexport const a = localAgent;\n`, "app/server/agents/seam-probe.server.ts")).toEqual([]);
  });

  it("refuses the built-in agent's id in pages and page-level domain modules: they take the picked agent", async () => {
    const probe = `import { localAgentId } from "~/server/agents/registry.server";\nexport const a = localAgentId;\n`;
    expect((await restricted(probe, "app/routes/seam-probe.tsx")).join("\n")).toMatch(/pageAgent/);
    expect(await restricted(`import { ensureLocalAgent } from "../agents/registry.server";\nexport const a = ensureLocalAgent;\n`, "app/server/dashboard/seam-probe.server.ts")).toHaveLength(1);
    // The seam's own rules still hold in the same modules.
    expect(await restricted(`import { localAgent } from "../agents/registry.server";\nexport const a = localAgent;\n`, "app/server/health/seam-probe.server.ts")).toHaveLength(1);
    // The Community log collector follows the built-in agent by design.
    expect(await restricted(`import { localAgentId } from "../agents/registry.server";\nexport const a = localAgentId;\n`, "app/server/logs/collector-boot.server.ts")).toEqual([]);
  });

  it("still refuses dockerode outside agent/local", async () => {
    expect(await restricted(`import Docker from "dockerode";\nexport const d = Docker;\n`, "app/server/docker/seam-probe.server.ts")).toHaveLength(1);
  });
});
