import { installScript } from "~/server/agents/install-script.server";
import { api } from "~/server/http/api.server";

// Public in both editions (API.md, "Remote agents"): `curl -fsSL $PUBLIC_URL/install.sh | sh -s -- --token=…`.
export const loader = api(async () => {
  return new Response(installScript(), {
    headers: { "content-type": "text/x-shellscript; charset=utf-8", "cache-control": "no-cache", "x-content-type-options": "nosniff" },
  });
});
