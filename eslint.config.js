import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";

const SEAM_MESSAGE = "Only the agent registry knows the built-in agent: resolve an agent id with agentFor/hostFor (agents/registry.server.ts).";
/** The seam (docs/decisions/054) for every module under app/ but the registry's own folder. */
const SEAM_PATTERNS = [
  { regex: "^(#agent|.*/agent)/local(/|$)", message: SEAM_MESSAGE },
  { group: ["**/agents/local-host.server", "~/server/agents/local-host.server"], message: SEAM_MESSAGE },
  { group: ["**/agents/registry.server", "~/server/agents/registry.server"], importNames: ["localAgent"], message: "Resolve an agent id with agentFor/hostFor instead of the process-wide local agent." },
];

export default tseslint.config(
  { ignores: ["build/**", "app/generated/**", "node_modules/**", "data/**", "tests/e2e/artifacts/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
      "@typescript-eslint/no-empty-object-type": "off",
      "no-restricted-imports": [
        "error",
        { paths: [{ name: "dockerode", message: "Only agent/local talks to Docker." }] },
      ],
    },
  },
  {
    files: ["agent/local/**"],
    rules: { "no-restricted-imports": "off" },
  },
  {
    // One resolver (docs/decisions/054): domain code gets an agent's host-side parts from
    // agents/registry.server.ts (agentFor/hostFor), never the in-process built-in agent, so a
    // RemoteAgent slots in without touching it. Only the registry and local-host know, and the
    // built-in agent's nginx start at boot (proxy/boot.server.ts, called by server.ts).
    files: ["app/**", "server.ts"],
    ignores: ["app/server/agents/**", "app/server/proxy/boot.server.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [{ name: "dockerode", message: "Only agent/local talks to Docker." }],
          patterns: SEAM_PATTERNS,
        },
      ],
    },
  },
  {
    // Pages address agents explicitly (docs/decisions/120): the agent a page shows is the one its
    // picker chose (pageAgent in http/agent-choice.server.ts), never the built-in agent by name.
    // Only jobs that follow the built-in agent by design (Community's log collector, a
    // certificate's fallback agent) and the registry itself may ask for its id.
    files: ["app/**", "server.ts"],
    ignores: ["app/server/agents/**", "app/server/proxy/boot.server.ts", "app/server/logs/collector-boot.server.ts", "app/server/certs/issuance.server.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [{ name: "dockerode", message: "Only agent/local talks to Docker." }],
          patterns: [
            ...SEAM_PATTERNS,
            {
              group: ["**/agents/registry.server", "~/server/agents/registry.server"],
              importNames: ["localAgentId", "ensureLocalAgent"],
              message: "Pages and domain verbs work on the agent they are given (a page's picker: pageAgent), not the built-in agent's id.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["app/routes/**"],
    rules: {
      "no-restricted-syntax": [
        "error",
        { selector: "CallExpression[callee.name='systemDb']", message: "Routes call domain verbs; no database access in routes." },
        { selector: "CallExpression[callee.name='withOrg']", message: "Routes call domain verbs; no database access in routes." },
      ],
    },
  },
);
