import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";

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
