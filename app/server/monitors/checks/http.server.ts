// HTTP(S) check from the control plane: the shared check (agent/checks/http-check.ts, the same one
// agents run) with every hop — the URL and each redirect it follows — passing the alerts' SSRF
// policy through safe-fetch's own pieces: checkUrl, resolveTarget (every DNS answer checked) and a
// pinned lookup (the socket connects to the checked address), so a tenant's monitor can never
// probe loopback, metadata or — unless allowed — private addresses.
import { CheckFailure, runHttpCheck } from "#agent/checks/http-check";
import type { HttpConfig } from "~/validation/monitors";
import { checkUrl, pinnedLookup, resolveTarget, type AddressPolicy } from "../../alerts/safe-fetch.server";
import type { CheckOutcome } from "../state";

export function checkHttp(config: HttpConfig, policy: AddressPolicy, now: () => number = Date.now): Promise<CheckOutcome> {
  return runHttpCheck(config, {
    now,
    async prepare(url) {
      const checked = checkUrl(url.toString(), policy);
      if (!checked.ok) throw new CheckFailure("refused", `refused: ${checked.reason}`);
      try {
        return { lookup: pinnedLookup(await resolveTarget(checked.target, policy)) };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new CheckFailure(message.startsWith("refused") ? "refused" : "connection", message);
      }
    },
  });
}
