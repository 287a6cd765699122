// The cross-tenant table: for every entry of the route table (route-table.ts), what organization B
// does with organization A's ids, and what must come back. Adding a route means adding one line
// here; the suite names any route, method, intent or socket event that has none.
//
// An entry is one of:
//   - cases: requests B makes with A's ids. Each must answer 404 (`not_found`), or, where A's id
//     travels in a body field that references another object, 400 naming that field; a page
//     action answers with its form's "No such …" message (page actions show refusals in the form).
//   - list: a GET that takes no id; B's answer must contain none of A's data (its markers).
//   - exempt: takes no tenant id at all, or is public by design; the reason says which.

/** A's objects (made in fixture.ts) and B's own agent. */
export interface World {
  a: {
    orgId: string;
    agentId: string;
    proxyHostId: string;
    accessListId: string;
    certificateId: string;
    channelId: string;
    ruleId: string;
    eventId: string;
    monitorId: string;
    statusPageId: string;
    memberId: string;
    memberEmail: string;
    tokenId: string;
    /** A pending invitation to A (SaaS organizations). */
    invitationId: string;
    enrollmentTokenId: string;
    /** An incident post on A's status page. */
    postId: string;
    /** An audit forwarder of A's (SaaS). */
    forwarderId: string;
    /** An SSO provider of A (LDAP; never contacted). */
    ssoProviderId: string;
    /** The 16-hex prefix the account APIs name a session by. */
    sessionShortId: string;
  };
  b: { orgId: string; agentId: string };
}

/** A syntactically valid container id: B never gets as far as the engine. */
export const CONTAINER = "c0ffee".padEnd(64, "0");

export type Request =
  | { method: string; path: string; json?: unknown }
  | { form: string; fields: Record<string, string | string[]> }
  | { socket: string; payload: unknown };

/**
 * 404 (`not_found` for the API); 400 naming the body field that carries A's id; a page action's
 * form message; a socket acknowledgement `{ok:false, error:{code:"not_found"}}`; or, for a page
 * whose query merely selects what to show (?edit=, ?view=), B's own page with A's id ignored; or,
 * for what only the platform operator (or a member of the named organization) may do, a refusal
 * (401/403) whatever the id.
 */
export type Expect = { status: 404 } | { field: string } | { form: RegExp } | { ack: "not_found" } | { ignored: true } | { refused: true };

/** The row the request aims at: it must exist before and be unchanged after. */
export interface Target {
  table: string;
  /** Column naming the row (default "id"). */
  column?: string;
  id: string;
}

export interface Case {
  label: string;
  request: (w: World) => Request;
  expect: Expect;
  target?: (w: World) => Target;
  /** A's own identical request succeeds (the id is real and reachable, so the 404 is about B). */
  control?: boolean;
}

export type Entry = { cases: Case[] } | { list: true } | { exempt: string };

const NOT_FOUND = { status: 404 } as const;
const IGNORED = { ignored: true } as const;
const REFUSED = { refused: true } as const;
const FORM_NOT_FOUND = { form: /No such|not found|Unknown channel|Unknown monitor/i } as const;

type W = World;
const t = (table: string, id: (w: W) => string, column?: string) => (w: W): Target => ({ table, id: id(w), ...(column ? { column } : {}) });

const proxyHost = t("ProxyHost", (w) => w.a.proxyHostId);
const accessList = t("AccessList", (w) => w.a.accessListId);
const certificate = t("Certificate", (w) => w.a.certificateId);
const channel = t("AlertChannel", (w) => w.a.channelId);
const rule = t("AlertRule", (w) => w.a.ruleId);
const event = t("AlertEvent", (w) => w.a.eventId);
const monitor = t("Monitor", (w) => w.a.monitorId);
const statusPage = t("StatusPage", (w) => w.a.statusPageId);
const member = t("Membership", (w) => w.a.memberId, "userId");
const agent = t("Agent", (w) => w.a.agentId);
const token = t("ApiToken", (w) => w.a.tokenId);
const invitation = t("Invitation", (w) => w.a.invitationId);
const enrollmentToken = t("EnrollmentToken", (w) => w.a.enrollmentTokenId);
const post = t("StatusPagePost", (w) => w.a.postId);
const forwarder = t("AuditForwarder", (w) => w.a.forwarderId);
const ssoProvider = t("SsoProvider", (w) => w.a.ssoProviderId);
const SSO_PUBLIC = "public by design: an SSO login (start, IdP callback, LDAP form) is found by its provider's id, for anyone who is not logged in yet; it acts on no tenant data of the caller";

const api = (method: string, path: (w: W) => string, target?: (w: W) => Target, json?: (w: W) => unknown): Case => ({
  label: method,
  request: (w) => ({ method, path: path(w), ...(json ? { json: json(w) } : {}) }),
  expect: NOT_FOUND,
  target,
  control: method === "GET",
});

/** The same request on A's agent id and, where the object is below it, on B's own agent with A's object id. */
const underAgent = (method: string, rest: (w: W) => string, target: (w: W) => Target, json?: (w: W) => unknown, control = method === "GET"): Case[] => [
  { label: `${method} on A's agent`, request: (w) => ({ method, path: `/api/v1/agents/${w.a.agentId}${rest(w)}`, ...(json ? { json: json(w) } : {}) }), expect: NOT_FOUND, target, control },
  { label: `${method} on B's own agent`, request: (w) => ({ method, path: `/api/v1/agents/${w.b.agentId}${rest(w)}`, ...(json ? { json: json(w) } : {}) }), expect: NOT_FOUND, target },
];
const onAgent = (method: string, rest: string, target: (w: W) => Target = agent, json?: (w: W) => unknown): Case[] => [
  { label: `${method} on A's agent`, request: (w) => ({ method, path: `/api/v1/agents/${w.a.agentId}${rest}`, ...(json ? { json: json(w) } : {}) }), expect: NOT_FOUND, target },
];

const form = (path: string, label: string, fields: (w: W) => Record<string, string | string[]>, target?: (w: W) => Target, expect: Expect = FORM_NOT_FOUND): Case => ({
  label,
  request: (w) => ({ form: path, fields: fields(w) }),
  expect,
  target,
});

const socket = (event: string, payload: (w: W) => unknown, label = event): Case => ({ label, request: (w) => ({ socket: event, payload: payload(w) }), expect: { ack: "not_found" } });

const cases = (...c: Case[]): Entry => ({ cases: c });
/**
 * An agent-scoped page (the agent picker, decision 120): B's own page shows nothing of A, and
 * choosing A's agent with `?agent=` (or the API's `?agentId=`) is a 404 — A's own choice works.
 */
const agentPage = (path: string, param = "agent", ...more: Case[]): Entry =>
  cases(
    { label: "B's own page", request: () => ({ method: "GET", path }), expect: IGNORED },
    { label: `?${param}= A's agent`, request: (w) => ({ method: "GET", path: `${path}?${param}=${w.a.agentId}` }), expect: NOT_FOUND, target: agent, control: true },
    ...more,
  );
const list: Entry = { list: true };
const exempt = (reason: string): Entry => ({ exempt: reason });

const NO_ID = "takes no id of any tenant object";
const OWN_ORG = "acts on the caller's own organization (the session's), named by no id";
const PUBLIC_SLUG = "public by design: a status page's assets are found by its slug, for anyone";
/** A syntactically valid image id, network id and volume name on A's agent: B never gets as far as the engine. */
const IMAGE = `sha256:${"ab".repeat(32)}`;
const NETWORK = "0e7e".padEnd(64, "1");
const VOLUME = "zz-a-volume";
/** What only the platform operator may do: B's admin is refused, whatever the id. */
const operatorOnly = (method: string, path: (w: W) => string, json?: (w: W) => unknown): Case => ({ ...api(method, path, undefined, json), expect: REFUSED, control: false });
const OWN_ACCOUNT = "acts on the signed-in user's own account only";
const PROXY_BODY = (w: W) => ({ kind: "proxy", domains: ["b-takes-a.test"], upstream: { scheme: "http", host: "127.0.0.1", port: 9 }, accessListId: w.a.accessListId });
const PROXY_CERT_BODY = (w: W) => ({ kind: "proxy", domains: ["b-takes-a.test"], upstream: { scheme: "http", host: "127.0.0.1", port: 9 }, tls: { mode: "custom", certificateId: w.a.certificateId } });

export const SUITE: Record<string, Entry> = {
  // ---- pages -------------------------------------------------------------------------------
  "GET /*": exempt("the catch-all: any unknown page is a 404 for everyone"),
  "GET / (layout)": list,
  "GET /": exempt("redirects to the dashboard or the login page"),
  "GET /access-lists": cases({ label: "?edit= A's list", request: (w) => ({ method: "GET", path: `/access-lists?edit=${w.a.accessListId}` }), expect: IGNORED, target: accessList }),
  "POST /access-lists intent=create": exempt(NO_ID),
  "POST /access-lists intent=update": cases(form("/access-lists", "update A's list", (w) => ({ intent: "update", id: w.a.accessListId, name: "taken by B", satisfy: "all" }), accessList)),
  "POST /access-lists intent=delete": cases(form("/access-lists", "delete A's list", (w) => ({ intent: "delete", id: w.a.accessListId }), accessList)),
  "GET /account (layout)": list,
  "GET /account": list,
  "POST /account intent=password": exempt(OWN_ACCOUNT),
  "POST /account intent=revoke-session": cases(form("/account?index", "revoke A's session", (w) => ({ intent: "revoke-session", sessionId: w.a.sessionShortId }))),
  "GET /account/security": list,
  "POST /account/security intent=start": exempt(OWN_ACCOUNT),
  "POST /account/security intent=enable": exempt(OWN_ACCOUNT),
  "POST /account/security intent=regenerate": exempt(OWN_ACCOUNT),
  "POST /account/security intent=disable": exempt(OWN_ACCOUNT),
  "GET /account/tokens": list,
  "POST /account/tokens intent=create": exempt(OWN_ACCOUNT),
  "POST /account/tokens intent=revoke": cases(form("/account/tokens", "revoke A's token", (w) => ({ intent: "revoke", tokenId: w.a.tokenId }), token)),
  "GET /alerts": list,
  "POST /alerts intent=create-channel": exempt(NO_ID),
  "POST /alerts intent=test-channel": cases(form("/alerts", "test A's channel", (w) => ({ intent: "test-channel", id: w.a.channelId }), channel)),
  "POST /alerts intent=delete-channel": cases(form("/alerts", "delete A's channel", (w) => ({ intent: "delete-channel", id: w.a.channelId }), channel)),
  "POST /alerts intent=create-rule": cases(form("/alerts", "a rule notifying A's channel", (w) => ({ intent: "create-rule", name: "b rule", type: "cpu", threshold: "90", windowSeconds: "300", cooldownSeconds: "900", channelIds: [w.a.channelId] }), channel)),
  "POST /alerts intent=update-rule": cases(form("/alerts", "update A's rule", (w) => ({ intent: "update-rule", id: w.a.ruleId, name: "taken by B", type: "cpu", threshold: "1", windowSeconds: "300", cooldownSeconds: "900" }), rule)),
  "POST /alerts intent=toggle-rule": cases(form("/alerts", "toggle A's rule", (w) => ({ intent: "toggle-rule", id: w.a.ruleId, enabled: "true" }), rule)),
  "POST /alerts intent=delete-rule": cases(form("/alerts", "delete A's rule", (w) => ({ intent: "delete-rule", id: w.a.ruleId }), rule)),
  "POST /alerts intent=acknowledge": cases(form("/alerts", "acknowledge A's alert", (w) => ({ intent: "acknowledge", id: w.a.eventId }), event)),
  "GET /audit": list,
  "POST /audit": exempt("verifies the caller's own organization's chain; takes no id"),
  "GET /billing": list,
  "GET /certificates": list,
  "POST /certificates intent=create": exempt(NO_ID),
  "POST /certificates intent=renew": cases(form("/certificates", "renew A's certificate", (w) => ({ intent: "renew", id: w.a.certificateId }), certificate)),
  "POST /certificates intent=delete": cases(form("/certificates", "delete A's certificate", (w) => ({ intent: "delete", id: w.a.certificateId }), certificate)),
  "GET /containers": agentPage("/containers"),
  ...Object.fromEntries(
    ["start", "stop", "restart", "delete"].map((intent) => [
      `POST /containers intent=${intent}`,
      cases(form("/containers", `${intent} on A's agent`, (w) => ({ intent, agentId: w.a.agentId, containerId: CONTAINER, confirmation: "x" }), agent)),
    ]),
  ),
  "GET /containers/:agentId/:id": cases({ label: "A's agent", request: (w) => ({ method: "GET", path: `/containers/${w.a.agentId}/${CONTAINER}` }), expect: NOT_FOUND, target: agent }),
  "GET /dashboard": agentPage("/dashboard"),
  "GET /agents": list,
  "POST /agents intent=create-token": exempt(NO_ID),
  "POST /agents intent=revoke-token": cases(form("/agents", "revoke A's enrollment token", (w) => ({ intent: "revoke-token", tokenId: w.a.enrollmentTokenId }), enrollmentToken)),
  "POST /agents intent=delete-agent": cases(form("/agents", "remove A's agent", (w) => ({ intent: "delete-agent", agentId: w.a.agentId }), agent)),
  "GET /install.sh": exempt("the public agent installer: the same script for everyone, no tenant data"),
  "GET /health": agentPage("/health"),
  "GET /logs": agentPage("/logs", "agent", { label: "?proxyHostId= A's host", request: (w) => ({ method: "GET", path: `/logs?proxyHostId=${w.a.proxyHostId}` }), expect: IGNORED, target: proxyHost }),
  "POST /logs": exempt("log settings of the caller's own organization; takes no id"),
  "GET /monitors": cases(
    { label: "?view= A's monitor", request: (w) => ({ method: "GET", path: `/monitors?view=${w.a.monitorId}` }), expect: IGNORED, target: monitor },
    { label: "?edit= A's monitor", request: (w) => ({ method: "GET", path: `/monitors?edit=${w.a.monitorId}` }), expect: IGNORED, target: monitor },
  ),
  "POST /monitors intent=create": cases(form("/monitors", "a monitor notifying A's channel", (w) => ({ intent: "create", name: "b mon", type: "http", "config.url": "http://127.0.0.1:9/", intervalSeconds: "3600", retries: "0", channelIds: [w.a.channelId] }), channel)),
  "POST /monitors intent=update": cases(form("/monitors", "update A's monitor", (w) => ({ intent: "update", id: w.a.monitorId, name: "taken by B", type: "http", "config.url": "http://127.0.0.1:9/b", intervalSeconds: "3600", retries: "0" }), monitor)),
  "POST /monitors intent=delete": cases(form("/monitors", "delete A's monitor", (w) => ({ intent: "delete", id: w.a.monitorId }), monitor)),
  "POST /monitors intent=check": cases(form("/monitors", "check A's monitor", (w) => ({ intent: "check", id: w.a.monitorId }), monitor)),
  "POST /monitors intent=page-create": cases(form("/monitors", "a status page showing A's monitor", (w) => ({ intent: "page-create", slug: "b-shows-a", title: "B", monitorIds: [w.a.monitorId] }), monitor)),
  "POST /monitors intent=page-delete": cases(form("/monitors", "delete A's status page", (w) => ({ intent: "page-delete", id: w.a.statusPageId }), statusPage)),
  "GET /organizations": list,
  "GET /proxies": agentPage("/proxies", "agent", { label: "?edit= A's host", request: (w) => ({ method: "GET", path: `/proxies?edit=${w.a.proxyHostId}` }), expect: IGNORED, target: proxyHost }),
  "POST /proxies intent=create": cases(
    form("/proxies", "a host behind A's access list", (w) => ({ intent: "create", kind: "proxy", domains: "b-takes-a.test", scheme: "http", upstreamHost: "127.0.0.1", upstreamPort: "9", accessListId: w.a.accessListId }), accessList),
    form("/proxies", "a host on A's agent", (w) => ({ intent: "create", agentId: w.a.agentId, kind: "proxy", domains: "b-takes-a.test", scheme: "http", upstreamHost: "127.0.0.1", upstreamPort: "9" }), agent),
  ),
  "POST /proxies intent=update": cases(form("/proxies", "update A's host", (w) => ({ intent: "update", id: w.a.proxyHostId, kind: "proxy", domains: "taken-by-b.test", scheme: "http", upstreamHost: "127.0.0.1", upstreamPort: "9" }), proxyHost)),
  "POST /proxies intent=delete": cases(form("/proxies", "delete A's host", (w) => ({ intent: "delete", id: w.a.proxyHostId }), proxyHost)),
  // The page's agent travels as the form's agentId (or the URL's ?agent=): another organization's is a 404.
  "POST /proxies intent=default-site": cases(
    form("/proxies", "A's agent's default site", (w) => ({ intent: "default-site", agentId: w.a.agentId, mode: "close" }), agent),
  ),
  "POST /proxies intent=apply": cases(form("/proxies", "apply A's agent", (w) => ({ intent: "apply", agentId: w.a.agentId }), agent)),
  "GET /settings": list,
  "GET /settings/sso": list,
  "POST /settings/sso intent=create": exempt(NO_ID),
  "POST /settings/sso intent=update": cases(form("/settings/sso", "edit A's SSO provider", (w) => ({ intent: "update", id: w.a.ssoProviderId, type: "ldap", name: "taken by B", url: "ldaps://127.0.0.1:9", userBase: "dc=b" }), ssoProvider)),
  "POST /settings/sso intent=delete": cases(form("/settings/sso", "delete A's SSO provider", (w) => ({ intent: "delete", id: w.a.ssoProviderId }), ssoProvider)),
  "POST /settings/sso intent=test": cases(form("/settings/sso", "test A's SSO provider", (w) => ({ intent: "test", id: w.a.ssoProviderId }), ssoProvider)),
  "GET /settings/plan": list,
  "POST /settings": exempt("security settings of the caller's own organization; takes no id"),
  "GET /users": list,
  "POST /users intent=create": exempt("creates a user in the caller's organization (an existing e-mail is refused without saying whose)"),
  ...Object.fromEntries(
    ["role", "disable", "enable", "force-reset", "delete"].map((intent) => [
      `POST /users intent=${intent}`,
      cases(form("/users", `${intent} A's member`, (w) => ({ intent, userId: w.a.memberId, role: "viewer", confirmation: w.a.memberEmail }), member)),
    ]),
  ),
  "POST /alerts intent=update-channel": cases(form("/alerts", "update A's channel", (w) => ({ intent: "update-channel", id: w.a.channelId, type: "webhook", name: "taken by B", "config.url": "http://127.0.0.1:9/b" }), channel)),
  "GET /images": agentPage("/images"),
  "POST /images intent=remove": cases(form("/images", "remove an image on A's agent", (w) => ({ intent: "remove", agentId: w.a.agentId, imageId: IMAGE, force: "true" }), agent)),
  "GET /volumes": agentPage("/volumes"),
  "POST /volumes intent=remove": cases(form("/volumes", "remove a volume on A's agent", (w) => ({ intent: "remove", agentId: w.a.agentId, name: VOLUME }), agent)),
  "GET /networks": agentPage("/networks"),
  "POST /networks intent=create": cases(form("/networks", "create a network on A's agent", (w) => ({ intent: "create", agentId: w.a.agentId, name: "b-net" }), agent)),
  "POST /monitors intent=page-update": cases(form("/monitors", "update A's status page", (w) => ({ intent: "page-update", id: w.a.statusPageId, slug: "taken-by-b", title: "taken by B" }), statusPage)),
  "POST /monitors intent=post-create": cases(form("/monitors", "a post on A's status page", (w) => ({ intent: "post-create", id: w.a.statusPageId, kind: "incident", title: "posted by B", status: "investigating" }), statusPage)),
  "POST /monitors intent=post-update": cases(form("/monitors", "update A's post", (w) => ({ intent: "post-update", id: w.a.statusPageId, postId: w.a.postId, status: "resolved" }), post)),
  "POST /monitors intent=post-delete": cases(form("/monitors", "delete A's post", (w) => ({ intent: "post-delete", id: w.a.statusPageId, postId: w.a.postId }), post)),
  "POST /organizations intent=create-org": exempt("creates a new organization the caller owns; takes no id"),
  "POST /organizations intent=rename": exempt(OWN_ORG),
  "POST /organizations intent=delete-org": exempt(`${OWN_ORG} (confirmed by typing its slug)`),
  "POST /organizations intent=invite": exempt("invites an e-mail address to the caller's own organization; takes no id"),
  "POST /organizations intent=revoke": cases(form("/organizations", "revoke A's invitation", (w) => ({ intent: "revoke", id: w.a.invitationId }), invitation)),
  "POST /organizations intent=role": cases(form("/organizations", "change A's member's role", (w) => ({ intent: "role", userId: w.a.memberId, role: "viewer" }), member)),
  "POST /organizations intent=remove": cases(form("/organizations", "remove A's member", (w) => ({ intent: "remove", userId: w.a.memberId }), member)),
  "GET /admin (layout)": cases({ label: "a tenant's admin", request: () => ({ method: "GET", path: "/admin" }), expect: REFUSED }),
  "GET /admin": cases({ label: "a tenant's admin", request: () => ({ method: "GET", path: "/admin" }), expect: REFUSED }),
  ...Object.fromEntries(
    ["plan", "suspend", "unsuspend"].map((intent) => [
      `POST /admin intent=${intent}`,
      cases(form("/admin?index", `${intent} A's organization`, (w) => ({ intent, orgId: w.a.orgId, plan: "free" }), undefined, REFUSED)),
    ]),
  ),
  "GET /organization-deleted": exempt("a static page shown after deleting one's own organization"),
  "GET /signup": exempt("public sign-up: makes a new organization, takes no id"),
  "POST /signup": exempt("public sign-up: makes a new organization, takes no id"),
  "GET /status/:slug/logo": exempt(PUBLIC_SLUG),
  "GET /invite/:token": exempt("an invitation is found by the hash of its secret token, not by a tenant id"),
  "POST /invite/:token": exempt("an invitation is found by the hash of its secret token, not by a tenant id"),
  "GET /forgot-password": exempt(NO_ID),
  "POST /forgot-password": exempt("mails a reset link for an e-mail address; takes no id and says nothing of the account"),
  "GET /reset-password/:token": exempt("a reset link is found by the hash of its secret token, not by a tenant id"),
  "POST /reset-password/:token": exempt("a reset link is found by the hash of its secret token, not by a tenant id"),
  "GET /login": exempt(NO_ID),
  "POST /login": exempt(NO_ID),
  "GET /logout": exempt(NO_ID),
  "POST /logout": exempt(NO_ID),
  "GET /setup": exempt(NO_ID),
  "POST /setup": exempt(NO_ID),
  "GET /status/:slug": exempt("a public status page, found by its slug by design: anyone may read it"),
  "GET /theme": exempt(NO_ID),
  "POST /theme": exempt(NO_ID),

  // ---- API -----------------------------------------------------------------------------------
  "GET /api/push/:token": exempt("a push monitor's beat, found by the hash of its secret token"),
  "POST /api/push/:token": exempt("a push monitor's beat, found by the hash of its secret token"),
  "GET /api/v1/*": exempt("the catch-all: 404 for everyone"),
  "POST /api/v1/*": exempt("the catch-all: 404 for everyone"),
  "GET /api/v1/access-lists/:id": cases(api("GET", (w) => `/api/v1/access-lists/${w.a.accessListId}`, accessList)),
  "PATCH /api/v1/access-lists/:id": cases(api("PATCH", (w) => `/api/v1/access-lists/${w.a.accessListId}`, accessList, () => ({ name: "taken by B" }))),
  "DELETE /api/v1/access-lists/:id": cases(api("DELETE", (w) => `/api/v1/access-lists/${w.a.accessListId}`, accessList)),
  "GET /api/v1/access-lists": list,
  "POST /api/v1/access-lists": exempt(NO_ID),
  "POST /api/v1/account/password": exempt(OWN_ACCOUNT),
  "DELETE /api/v1/account/sessions/:id": cases(api("DELETE", (w) => `/api/v1/account/sessions/${w.a.sessionShortId}`)),
  "GET /api/v1/account/sessions": list,
  "GET /api/v1/agents/:agentId/containers/:id/:action": exempt("answers 405 (use POST) for any path, before looking anything up"),
  "POST /api/v1/agents/:agentId/containers/:id/:action": cases(...["start", "stop", "restart"].flatMap((v) => onAgent("POST", `/containers/${CONTAINER}/${v}`))),
  "GET /api/v1/agents/:agentId/containers/:id/logs": cases(...onAgent("GET", `/containers/${CONTAINER}/logs`)),
  "GET /api/v1/agents/:agentId/containers/:id": cases(...onAgent("GET", `/containers/${CONTAINER}`)),
  "DELETE /api/v1/agents/:agentId/containers/:id": cases(...onAgent("DELETE", `/containers/${CONTAINER}?force=true`)),
  "GET /api/v1/agents/:agentId/containers": cases(...onAgent("GET", "/containers")),
  "GET /api/v1/agents/:agentId/proxies/:id": cases(...underAgent("GET", (w) => `/proxies/${w.a.proxyHostId}`, proxyHost)),
  "PATCH /api/v1/agents/:agentId/proxies/:id": cases(...underAgent("PATCH", (w) => `/proxies/${w.a.proxyHostId}?wait=false`, proxyHost, () => ({ kind: "proxy", domains: ["taken-by-b.test"], upstream: { scheme: "http", host: "127.0.0.1", port: 9 } }))),
  "DELETE /api/v1/agents/:agentId/proxies/:id": cases(...underAgent("DELETE", (w) => `/proxies/${w.a.proxyHostId}?wait=false`, proxyHost)),
  "POST /api/v1/agents/:agentId/proxies/apply": cases(...onAgent("POST", "/proxies/apply")),
  "GET /api/v1/agents/:agentId/proxies/reachability": cases(...onAgent("GET", "/proxies/reachability")),
  "GET /api/v1/agents/:agentId/proxies/settings": cases(...onAgent("GET", "/proxies/settings")),
  "PATCH /api/v1/agents/:agentId/proxies/settings": cases(...onAgent("PATCH", "/proxies/settings", agent, () => ({ defaultSite: { mode: "close" } }))),
  "GET /api/v1/agents/:agentId/proxies/status": cases(...onAgent("GET", "/proxies/status")),
  "GET /api/v1/agents/:agentId/proxies": cases({ ...onAgent("GET", "/proxies")[0]!, control: true }),
  "POST /api/v1/agents/:agentId/proxies": cases(
    ...onAgent("POST", "/proxies?wait=false", agent, PROXY_BODY),
    { label: "B's own agent, A's access list", request: (w) => ({ method: "POST", path: `/api/v1/agents/${w.b.agentId}/proxies?wait=false`, json: PROXY_BODY(w) }), expect: { field: "accessListId" }, target: accessList },
    { label: "B's own agent, A's certificate", request: (w) => ({ method: "POST", path: `/api/v1/agents/${w.b.agentId}/proxies?wait=false`, json: PROXY_CERT_BODY(w) }), expect: { field: "tls.certificateId" }, target: certificate },
  ),
  "GET /api/v1/admin/audit": cases(operatorOnly("GET", () => "/api/v1/admin/audit")),
  "GET /api/v1/admin/orgs": cases(operatorOnly("GET", () => "/api/v1/admin/orgs")),
  "PATCH /api/v1/admin/orgs/:id": cases(
    operatorOnly("PATCH", (w) => `/api/v1/admin/orgs/${w.a.orgId}`, () => ({ suspended: true })),
    { ...operatorOnly("PATCH", (w) => `/api/v1/admin/orgs/${w.a.orgId}`, () => ({ plan: "free" })), label: "PATCH plan" },
  ),
  "GET /api/v1/agents/:agentId/containers/:id/stats": cases(...onAgent("GET", `/containers/${CONTAINER}/stats`)),
  "GET /api/v1/agents/:agentId/stats": cases(...onAgent("GET", "/stats")),
  "PATCH /api/v1/agents/:agentId": cases(...onAgent("PATCH", "", agent, () => ({ name: "taken-by-b" }))),
  "DELETE /api/v1/agents/:agentId": cases(...onAgent("DELETE", "")),
  "GET /api/v1/agents/:agentId/images": cases(...onAgent("GET", "/images")),
  "DELETE /api/v1/agents/:agentId/images/:id": cases(...onAgent("DELETE", `/images/${IMAGE}?force=true`)),
  "POST /api/v1/agents/:agentId/images/prune": cases(...onAgent("POST", "/images/prune", agent, () => ({ all: true }))),
  "POST /api/v1/agents/:agentId/images/pull": cases(...onAgent("POST", "/images/pull", agent, () => ({ reference: "busybox:latest" }))),
  "GET /api/v1/agents/:agentId/volumes": cases(...onAgent("GET", "/volumes")),
  "DELETE /api/v1/agents/:agentId/volumes/:name": cases(...onAgent("DELETE", `/volumes/${VOLUME}`)),
  "POST /api/v1/agents/:agentId/volumes/prune": cases(...onAgent("POST", "/volumes/prune", agent, () => ({ all: true }))),
  "GET /api/v1/agents/:agentId/networks": cases(...onAgent("GET", "/networks")),
  "POST /api/v1/agents/:agentId/networks": cases(...onAgent("POST", "/networks", agent, () => ({ name: "b-net" }))),
  "DELETE /api/v1/agents/:agentId/networks/:id": cases(...onAgent("DELETE", `/networks/${NETWORK}`)),
  "POST /api/v1/agents/enroll": exempt("an agent enrolls with the secret of an enrollment token, found by its hash"),
  "GET /api/v1/agents/enrollment-tokens": list,
  "POST /api/v1/agents/enrollment-tokens": exempt("creates a token in the caller's own organization; takes no id"),
  "DELETE /api/v1/agents/enrollment-tokens/:id": cases(api("DELETE", (w) => `/api/v1/agents/enrollment-tokens/${w.a.enrollmentTokenId}`, enrollmentToken)),
  "GET /api/v1/audit/settings": list,
  "PATCH /api/v1/audit/settings": exempt("audit settings of the caller's own organization; takes no id"),
  "GET /api/v1/audit/forwarders": list,
  "POST /api/v1/audit/forwarders": exempt(NO_ID),
  "PATCH /api/v1/audit/forwarders/:id": cases(api("PATCH", (w) => `/api/v1/audit/forwarders/${w.a.forwarderId}`, forwarder, () => ({ enabled: true }))),
  "DELETE /api/v1/audit/forwarders/:id": cases(api("DELETE", (w) => `/api/v1/audit/forwarders/${w.a.forwarderId}`, forwarder)),
  "POST /api/v1/audit/forwarders/:id/test": cases(api("POST", (w) => `/api/v1/audit/forwarders/${w.a.forwarderId}/test`, forwarder, () => ({}))),
  "GET /api/v1/auth/signup": exempt("public sign-up: makes a new organization, takes no id"),
  "POST /api/v1/auth/signup": exempt("public sign-up: makes a new organization, takes no id"),
  "POST /api/v1/invitations/:token/accept": exempt("an invitation is found by the hash of its secret token, not by a tenant id"),
  "GET /api/v1/orgs": list,
  "POST /api/v1/orgs": exempt("creates a new organization the caller owns; takes no id"),
  "GET /api/v1/orgs/current": list,
  "PATCH /api/v1/orgs/current": exempt(OWN_ORG),
  "DELETE /api/v1/orgs/current": exempt(`${OWN_ORG} (confirmed by its slug)`),
  "GET /api/v1/orgs/current/plan": list,
  "GET /api/v1/orgs/current/members": list,
  "PATCH /api/v1/orgs/current/members/:userId": cases(api("PATCH", (w) => `/api/v1/orgs/current/members/${w.a.memberId}`, member, () => ({ role: "viewer" }))),
  "DELETE /api/v1/orgs/current/members/:userId": cases(api("DELETE", (w) => `/api/v1/orgs/current/members/${w.a.memberId}`, member)),
  "GET /api/v1/orgs/current/invitations": list,
  "POST /api/v1/orgs/current/invitations": exempt("invites an e-mail address to the caller's own organization; takes no id"),
  "DELETE /api/v1/orgs/current/invitations/:id": cases(api("DELETE", (w) => `/api/v1/orgs/current/invitations/${w.a.invitationId}`, invitation)),
  "GET /api/v1/orgs/switch": exempt("answers 405 (use POST) before looking anything up"),
  "POST /api/v1/orgs/switch": cases({ label: "switch into A", request: (w) => ({ method: "POST", path: "/api/v1/orgs/switch", json: { orgId: w.a.orgId } }), expect: REFUSED }),
  "GET /api/v1/status-pages/:id/posts": cases(api("GET", (w) => `/api/v1/status-pages/${w.a.statusPageId}/posts`, statusPage)),
  "POST /api/v1/status-pages/:id/posts": cases(api("POST", (w) => `/api/v1/status-pages/${w.a.statusPageId}/posts`, statusPage, () => ({ kind: "incident", title: "posted by B", status: "investigating" }))),
  "PATCH /api/v1/status-pages/:id/posts/:postId": cases(api("PATCH", (w) => `/api/v1/status-pages/${w.a.statusPageId}/posts/${w.a.postId}`, post, () => ({ status: "resolved" }))),
  "DELETE /api/v1/status-pages/:id/posts/:postId": cases(api("DELETE", (w) => `/api/v1/status-pages/${w.a.statusPageId}/posts/${w.a.postId}`, post)),
  "GET /api/v1/status/:slug/badge": exempt(PUBLIC_SLUG),
  "GET /api/v1/agents": list,
  "POST /api/v1/alerts/channels/:id/test": cases(api("POST", (w) => `/api/v1/alerts/channels/${w.a.channelId}/test`, channel, () => ({}))),
  "GET /api/v1/alerts/channels/:id": cases(api("GET", (w) => `/api/v1/alerts/channels/${w.a.channelId}`, channel)),
  "PATCH /api/v1/alerts/channels/:id": cases(api("PATCH", (w) => `/api/v1/alerts/channels/${w.a.channelId}`, channel, () => ({ name: "taken by B" }))),
  "DELETE /api/v1/alerts/channels/:id": cases(api("DELETE", (w) => `/api/v1/alerts/channels/${w.a.channelId}`, channel)),
  "GET /api/v1/alerts/channels": list,
  "GET /api/v1/sso/providers": list,
  "POST /api/v1/sso/providers": exempt(NO_ID),
  "GET /api/v1/sso/providers/:id": cases(api("GET", (w) => `/api/v1/sso/providers/${w.a.ssoProviderId}`, ssoProvider)),
  "PATCH /api/v1/sso/providers/:id": cases(api("PATCH", (w) => `/api/v1/sso/providers/${w.a.ssoProviderId}`, ssoProvider, () => ({ name: "taken by B", enforced: true }))),
  "DELETE /api/v1/sso/providers/:id": cases(api("DELETE", (w) => `/api/v1/sso/providers/${w.a.ssoProviderId}`, ssoProvider)),
  "POST /api/v1/sso/providers/:id/test": cases(api("POST", (w) => `/api/v1/sso/providers/${w.a.ssoProviderId}/test`, ssoProvider, () => ({}))),
  "GET /api/v1/auth/sso/providers": exempt("public by design: the login page's SSO buttons (names and login URLs) of the organization named by ?org=<slug>"),
  "GET /api/v1/auth/sso/:id/login": exempt(SSO_PUBLIC),
  "GET /api/v1/auth/sso/:id/callback": exempt(SSO_PUBLIC),
  "POST /api/v1/auth/sso/:id/ldap": exempt(SSO_PUBLIC),
  "POST /api/v1/alerts/channels": exempt(NO_ID),
  "POST /api/v1/alerts/history/:id/acknowledge": cases(api("POST", (w) => `/api/v1/alerts/history/${w.a.eventId}/acknowledge`, event, () => ({}))),
  "GET /api/v1/alerts/history": list,
  "GET /api/v1/alerts/rules/:id": cases(api("GET", (w) => `/api/v1/alerts/rules/${w.a.ruleId}`, rule)),
  "PATCH /api/v1/alerts/rules/:id": cases(api("PATCH", (w) => `/api/v1/alerts/rules/${w.a.ruleId}`, rule, () => ({ enabled: true }))),
  "DELETE /api/v1/alerts/rules/:id": cases(api("DELETE", (w) => `/api/v1/alerts/rules/${w.a.ruleId}`, rule)),
  "GET /api/v1/alerts/rules": list,
  "POST /api/v1/alerts/rules": cases({
    label: "a rule notifying A's channel",
    request: (w) => ({ method: "POST", path: "/api/v1/alerts/rules", json: { name: "b rule", type: "cpu", threshold: 90, channelIds: [w.a.channelId] } }),
    expect: { field: "channelIds" },
    target: channel,
  }),
  "GET /api/v1/audit/export": list,
  "GET /api/v1/audit": list,
  "GET /api/v1/audit/verify": list,
  "POST /api/v1/auth/login": exempt(NO_ID),
  "POST /api/v1/auth/logout": exempt(NO_ID),
  "POST /api/v1/auth/mfa/disable": exempt(OWN_ACCOUNT),
  "POST /api/v1/auth/mfa/enable": exempt(OWN_ACCOUNT),
  "POST /api/v1/auth/mfa/setup": exempt(OWN_ACCOUNT),
  "POST /api/v1/auth/mfa/verify": exempt("a login challenge, found by the hash of its secret"),
  "POST /api/v1/certificates/:id/renew": cases(api("POST", (w) => `/api/v1/certificates/${w.a.certificateId}/renew`, certificate, () => ({}))),
  "GET /api/v1/certificates/:id": cases(api("GET", (w) => `/api/v1/certificates/${w.a.certificateId}`, certificate)),
  "DELETE /api/v1/certificates/:id": cases(api("DELETE", (w) => `/api/v1/certificates/${w.a.certificateId}`, certificate)),
  "GET /api/v1/certificates": list,
  "POST /api/v1/certificates": exempt(NO_ID),
  "GET /api/v1/health": agentPage("/api/v1/health", "agentId"),
  "GET /api/v1/logs/export": cases({ label: "A's proxy host", request: (w) => ({ method: "GET", path: `/api/v1/logs/export?proxyHostId=${w.a.proxyHostId}` }), expect: IGNORED, target: proxyHost }),
  "GET /api/v1/logs/settings": list,
  "PATCH /api/v1/logs/settings": exempt("log settings of the caller's own organization; takes no id"),
  "GET /api/v1/logs": cases({ label: "A's proxy host", request: (w) => ({ method: "GET", path: `/api/v1/logs?proxyHostId=${w.a.proxyHostId}` }), expect: IGNORED, target: proxyHost }),
  "GET /api/v1/logs/usage": list,
  "GET /api/v1/me": list,
  "POST /api/v1/monitors/:id/check": cases(api("POST", (w) => `/api/v1/monitors/${w.a.monitorId}/check`, monitor, () => ({}))),
  "GET /api/v1/monitors/:id/incidents": cases(api("GET", (w) => `/api/v1/monitors/${w.a.monitorId}/incidents`, monitor)),
  "GET /api/v1/monitors/:id/results": cases(api("GET", (w) => `/api/v1/monitors/${w.a.monitorId}/results`, monitor)),
  "GET /api/v1/monitors/:id": cases(api("GET", (w) => `/api/v1/monitors/${w.a.monitorId}`, monitor)),
  "PATCH /api/v1/monitors/:id": cases(api("PATCH", (w) => `/api/v1/monitors/${w.a.monitorId}`, monitor, () => ({ name: "taken by B" }))),
  "DELETE /api/v1/monitors/:id": cases(api("DELETE", (w) => `/api/v1/monitors/${w.a.monitorId}`, monitor)),
  "GET /api/v1/monitors": list,
  "POST /api/v1/monitors": cases({
    label: "a monitor notifying A's channel",
    request: (w) => ({ method: "POST", path: "/api/v1/monitors", json: { name: "b mon", type: "http", intervalSeconds: 3600, enabled: false, config: { url: "http://127.0.0.1:9/" }, channelIds: [w.a.channelId] } }),
    expect: { field: "channelIds" },
    target: channel,
  }),
  "GET /api/v1/setup": exempt(NO_ID),
  "POST /api/v1/setup": exempt(NO_ID),
  "GET /api/v1/status-pages/:id": cases(api("GET", (w) => `/api/v1/status-pages/${w.a.statusPageId}`, statusPage)),
  "PATCH /api/v1/status-pages/:id": cases(api("PATCH", (w) => `/api/v1/status-pages/${w.a.statusPageId}`, statusPage, () => ({ title: "taken by B" }))),
  "DELETE /api/v1/status-pages/:id": cases(api("DELETE", (w) => `/api/v1/status-pages/${w.a.statusPageId}`, statusPage)),
  "GET /api/v1/status-pages": list,
  "POST /api/v1/status-pages": cases({
    label: "a status page showing A's monitor",
    request: (w) => ({ method: "POST", path: "/api/v1/status-pages", json: { slug: "b-shows-a", title: "B", monitorIds: [w.a.monitorId] } }),
    expect: { field: "monitorIds" },
    target: monitor,
  }),
  "GET /api/v1/status/:slug": exempt("a public status page, found by its slug by design: anyone may read it"),
  "DELETE /api/v1/tokens/:id": cases(api("DELETE", (w) => `/api/v1/tokens/${w.a.tokenId}`, token)),
  "GET /api/v1/tokens": list,
  "POST /api/v1/tokens": exempt(OWN_ACCOUNT),
  "POST /api/v1/users/:id/reset-password": cases(api("POST", (w) => `/api/v1/users/${w.a.memberId}/reset-password`, member, () => ({}))),
  "GET /api/v1/users/:id": cases(api("GET", (w) => `/api/v1/users/${w.a.memberId}`, member)),
  "PATCH /api/v1/users/:id": cases(api("PATCH", (w) => `/api/v1/users/${w.a.memberId}`, member, () => ({ role: "viewer" }))),
  "DELETE /api/v1/users/:id": cases(api("DELETE", (w) => `/api/v1/users/${w.a.memberId}`, member)),
  "GET /api/v1/users": list,
  "POST /api/v1/users": exempt("creates a user in the caller's organization (an existing e-mail is refused without saying whose)"),

  // ---- /ui socket events ---------------------------------------------------------------------
  "socket containers:subscribe": cases(socket("containers:subscribe", (w) => ({ agentId: w.a.agentId }))),
  "socket containers:unsubscribe": exempt("leaves a feed this socket itself joined; looks nothing up and answers nothing"),
  "socket logs:subscribe": cases(socket("logs:subscribe", (w) => ({ agentId: w.a.agentId, containerId: CONTAINER }))),
  "socket logs:stream": cases(
    socket("logs:stream", (w) => ({ agentId: w.a.agentId, all: true }), "all containers of A's agent"),
    socket("logs:stream", (w) => ({ agentId: w.a.agentId, proxyHostIds: [w.a.proxyHostId] }), "A's proxy host on A's agent"),
    socket("logs:stream", (w) => ({ agentId: w.b.agentId, proxyHostIds: [w.a.proxyHostId] }), "A's proxy host on B's own agent"),
  ),
  "socket logs:unsubscribe": exempt("ends a subscription of this socket (ids it was given); nothing else is reachable"),
  "socket logs:stream:unsubscribe": exempt("ends a subscription of this socket (ids it was given); nothing else is reachable"),
  "socket terminal:open": cases(socket("terminal:open", (w) => ({ agentId: w.a.agentId, containerId: CONTAINER }))),
  "socket terminal:frame": exempt("writes to this socket's own terminal, if it opened one"),
};
