// Generated from the route table: every credential-managing API action (MFA, account, tokens)
// authenticates through requireInteractiveSession, so a new route of that kind without it fails
// here rather than quietly accepting API tokens (docs/decisions/051).
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";

const ROUTES = fileURLToPath(new URL("../../app/routes/", import.meta.url));
const CREDENTIAL_ROUTES = /^api\.v1\.(auth\.mfa\.(?!verify\.)|account\.|tokens)/;

/** The source of the route's `action` export (writes), up to the next export. */
function actionSource(source: string): string | null {
  const start = source.indexOf("export const action");
  if (start < 0) return null;
  const next = source.indexOf("\nexport ", start + 1);
  return source.slice(start, next < 0 ? undefined : next);
}

// Loader-only routes (GET /account/sessions) stay open to tokens: listing is reading.
const actions = readdirSync(ROUTES)
  .filter((f) => CREDENTIAL_ROUTES.test(f))
  .map((file) => ({ file, action: actionSource(readFileSync(ROUTES + file, "utf8")) }))
  .filter((r): r is { file: string; action: string } => r.action !== null);

describe("credential-managing API actions", () => {
  test("the route table has them (MFA setup/enable/disable, password, sessions, tokens)", () => {
    expect(actions.map((a) => a.file).sort()).toEqual(
      expect.arrayContaining(["api.v1.auth.mfa.setup.ts", "api.v1.auth.mfa.enable.ts", "api.v1.auth.mfa.disable.ts", "api.v1.account.password.ts", "api.v1.account.sessions.$id.ts", "api.v1.tokens.ts", "api.v1.tokens.$id.ts"]),
    );
  });

  for (const { file, action } of actions) {
    test(`${file}: its action refuses API tokens through requireInteractiveSession`, () => {
      // requireMfaEnrollee is requireInteractiveSession for tenants, or the operator's own session
      // (decision 096): an API token gets through neither.
      expect(action).toMatch(/requireInteractiveSession\(|requireMfaEnrollee\(/);
      expect(action).not.toMatch(/requireApiActor\(/);
    });
  }
});
