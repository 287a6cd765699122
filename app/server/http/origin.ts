// Pure CSRF guard for state-changing requests. Browsers always send Origin (or Sec-Fetch-Site) on
// cross-site POSTs; a request from a non-browser client sends neither and carries its own
// credentials. Bearer-token requests are not cookie-authenticated and need no check.
export interface OriginCheckInput {
  method: string;
  origin: string | null;
  secFetchSite: string | null;
  host: string | null;
  publicOrigin: string;
  bearer: boolean;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function crossSiteReason(input: OriginCheckInput): string | null {
  if (SAFE_METHODS.has(input.method.toUpperCase()) || input.bearer) return null;
  if (input.secFetchSite && !["same-origin", "none"].includes(input.secFetchSite)) {
    return `cross-site request (Sec-Fetch-Site: ${input.secFetchSite})`;
  }
  if (input.origin) {
    if (input.origin === "null") return "request from an opaque origin";
    if (input.origin === input.publicOrigin) return null;
    try {
      if (input.host && new URL(input.origin).host === input.host) return null;
    } catch {
      return "malformed Origin header";
    }
    return `request from another origin (${input.origin})`;
  }
  return null;
}
