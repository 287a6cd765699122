// Pure guards against other sites: the CSRF check for state-changing requests and the Host check
// against DNS rebinding. Both compare with configuration (PUBLIC_URL), never with what the request
// says about itself: a rebinding page's requests carry its own name in Host and its own origin
// in Origin, so "Origin matches Host" proves nothing.

export interface OriginCheckInput {
  method: string;
  origin: string | null;
  secFetchSite: string | null;
  /** Origins our own pages can have (see allowedOrigins). */
  allowedOrigins: ReadonlySet<string>;
  /** Authorization: Bearer … — a token, not a cookie, so no browser attaches it on its own. */
  bearer: boolean;
  /** The request carries cookies, so it may act with a browser session. */
  cookie: boolean;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const LOOPBACK_HOSTNAMES = ["localhost", "127.0.0.1", "[::1]"];

/**
 * PUBLIC_URL's origin, plus http(s)://localhost|127.0.0.1|[::1] on the port InfraPilot listens
 * on, for someone using it on the machine itself. Other loopback ports are other programs.
 */
export function allowedOrigins(publicOrigin: string, port: number): Set<string> {
  const origins = new Set([new URL(publicOrigin).origin]);
  for (const scheme of ["http", "https"]) for (const host of LOOPBACK_HOSTNAMES) origins.add(new URL(`${scheme}://${host}:${port}`).origin);
  return origins;
}

/** Why a request must be refused as cross-site, or null. */
export function crossSiteReason(input: OriginCheckInput): string | null {
  if (SAFE_METHODS.has(input.method.toUpperCase()) || input.bearer) return null;
  if (input.secFetchSite && !["same-origin", "none"].includes(input.secFetchSite)) {
    return `cross-site request (Sec-Fetch-Site: ${input.secFetchSite})`;
  }
  if (input.origin !== null) {
    if (input.origin === "null") return "request from an opaque origin";
    let origin: string;
    try {
      origin = new URL(input.origin).origin;
    } catch {
      return "malformed Origin header";
    }
    return input.allowedOrigins.has(origin) ? null : `request from another origin (${input.origin})`;
  }
  if (input.secFetchSite) return null; // same-origin or none, from a browser that sent no Origin
  // Every current browser sends Origin or Sec-Fetch-Site on a POST; a request with cookies and
  // neither is not from one of our pages, so it may not use them (fail closed).
  if (input.cookie) return "a request with cookies needs an Origin or Sec-Fetch-Site header";
  return null;
}

/** PUBLIC_URL's host name as the Host check compares it. */
export function publicHostname(publicUrl: string): string {
  return new URL(publicUrl).hostname.toLowerCase().replace(/\.$/, "");
}

const HOST_HEADER = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9.])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * Why a request must be answered 421 (Misdirected Request), or null. Only PUBLIC_URL's host name
 * and the loopback names are ours, with any port (a reverse proxy may forward another one): a
 * page whose DNS name was rebound to our address sends its own name, and is refused.
 */
export function misdirectedReason(host: string | null | undefined, ourHostname: string): string | null {
  if (!host) return "no Host header";
  if (!HOST_HEADER.test(host)) return "a malformed Host header";
  const hostname = host.replace(/:\d+$/, "").toLowerCase().replace(/\.$/, "");
  if (hostname === ourHostname || LOOPBACK_HOSTNAMES.includes(hostname)) return null;
  return `the host name ${hostname} is not this InfraPilot's (PUBLIC_URL)`;
}
