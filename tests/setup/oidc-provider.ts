// A real OpenID Connect provider for tests: npm `oidc-provider` (certified) on a loopback port,
// over HTTP or HTTPS, with accounts and clients the test names. Its interaction step logs in
// whichever account the test chose (`idp.nextLogin`) without a form, so a test — or Chromium —
// follows the whole authorization-code flow with plain redirects. `idp.tamper` rewrites the ID
// token of the next token responses (re-signed with the provider's own key, or with `alg: none`
// / HS256) to build the attacks of issue 15 on a genuine token.
import { createHmac, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

export interface TestAccount {
  email?: string;
  email_verified?: boolean;
  name?: string;
  groups?: string[];
}

export interface TestClient {
  client_id: string;
  client_secret?: string;
  redirect_uris: string[];
}

export type Tamper = (payload: Record<string, unknown>) => { payload: Record<string, unknown>; alg?: "RS256" | "none" | "HS256-public-key" };

export interface TestIdp {
  issuer: string;
  port: number;
  accounts: Map<string, TestAccount>;
  /** Who logs in at the next interaction, and the `amr` the IdP asserts for it. */
  nextLogin: { accountId: string; amr?: string[] };
  /** Rewrites ID tokens of token responses while set. */
  tamper: Tamper | null;
  /** Token-endpoint requests seen (to prove a replayed code reached the IdP or not). */
  tokenRequests: number;
  /** Milliseconds the provider spent handling requests, summed (benchmarks subtract the IdP's time). */
  serverMs: number;
  publicKeyPem: string;
  addClient(client: TestClient): void;
  stop(): Promise<void>;
}

const b64url = (v: Buffer | string) => Buffer.from(v).toString("base64url");

function resign(jwt: string, tamper: Tamper, privateKey: KeyObject, publicKeyPem: string, kid: string): string {
  const payload = JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString("utf8")) as Record<string, unknown>;
  const out = tamper(payload);
  const alg = out.alg ?? "RS256";
  if (alg === "none") return `${b64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${b64url(JSON.stringify(out.payload))}.`;
  if (alg === "HS256-public-key") {
    // The classic key-confusion forgery: HMAC keyed with the provider's public key.
    const input = `${b64url(JSON.stringify({ alg: "HS256", typ: "JWT", kid }))}.${b64url(JSON.stringify(out.payload))}`;
    return `${input}.${createHmac("sha256", publicKeyPem).update(input).digest("base64url")}`;
  }
  const input = `${b64url(JSON.stringify({ alg: "RS256", typ: "JWT", kid }))}.${b64url(JSON.stringify(out.payload))}`;
  return `${input}.${sign("sha256", Buffer.from(input), privateKey).toString("base64url")}`;
}

export async function startTestIdp(options: { tls?: { cert: string; key: string }; clients?: TestClient[]; accounts?: Record<string, TestAccount> } = {}): Promise<TestIdp> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = "test-key-1";
  const jwk = { ...privateKey.export({ format: "jwk" }), kid, use: "sig", alg: "RS256" };
  const publicKeyPem = publicKey.export({ format: "pem", type: "spki" }).toString();
  const accounts = new Map(Object.entries(options.accounts ?? {}));
  const clients: TestClient[] = [...(options.clients ?? [])];

  const server: Server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }) : createHttpServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const issuer = `${options.tls ? "https" : "http"}://127.0.0.1:${port}`;

  let provider: Provider;
  const idp: TestIdp = {
    issuer,
    port,
    accounts,
    nextLogin: { accountId: "" },
    tamper: null,
    tokenRequests: 0,
    serverMs: 0,
    publicKeyPem,
    addClient(client) {
      clients.push(client);
      provider = build();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  function build(): Provider {
    const p = new Provider(issuer, {
      clients: clients.map((c) => ({
        client_id: c.client_id,
        ...(c.client_secret ? { client_secret: c.client_secret, token_endpoint_auth_method: "client_secret_basic" } : { token_endpoint_auth_method: "none" }),
        redirect_uris: c.redirect_uris,
        grant_types: ["authorization_code"],
        response_types: ["code"],
      })),
      jwks: { keys: [jwk as never] },
      cookies: { keys: ["test-cookie-key-0123456789abcdef"] },
      claims: { acr: null, auth_time: null, sid: null, openid: ["sub", "amr"], email: ["email", "email_verified"], profile: ["name"], groups: ["groups"] },
      scopes: ["openid", "email", "profile", "groups"],
      // Like Keycloak or Entra: the requested claims are in the ID token itself.
      conformIdTokenClaims: false,
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
      pkce: { required: () => true },
      findAccount: async (_ctx: unknown, id: string) => {
        const account = accounts.get(id);
        if (!account) return undefined;
        return { accountId: id, claims: async () => ({ sub: id, ...account }) };
      },
    });
    p.use(async (ctx, next) => {
      if (ctx.path === "/token") idp.tokenRequests++;
      const started = performance.now();
      await next();
      idp.serverMs += performance.now() - started;
      const body = ctx.body as { id_token?: string } | undefined;
      if (ctx.path === "/token" && idp.tamper && body && typeof body.id_token === "string") {
        ctx.body = { ...body, id_token: resign(body.id_token, idp.tamper, privateKey, publicKeyPem, kid) };
      }
    });
    return p;
  }
  provider = build();

  async function interaction(req: IncomingMessage, res: ServerResponse) {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === "login") {
      await provider.interactionFinished(req, res, { login: { accountId: idp.nextLogin.accountId, ...(idp.nextLogin.amr ? { amr: idp.nextLogin.amr } : {}) } }, { mergeWithLastSubmission: false });
      return;
    }
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
    const grant = details.grantId
      ? (await provider.Grant.find(details.grantId))!
      : new provider.Grant({ accountId: details.session!.accountId, clientId: String(details.params.client_id) });
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  server.on("request", (req, res) => {
    if (req.url?.startsWith("/interaction/")) {
      interaction(req, res).catch((error: Error) => {
        res.statusCode = 500;
        res.end(error.message);
      });
      return;
    }
    provider.callback()(req, res);
  });
  return idp;
}

/** A browser's cookies, per origin (enough for following redirects between two loopback servers). */
export class CookieJar {
  private readonly byOrigin = new Map<string, Map<string, string>>();
  header(url: URL): string {
    return [...(this.byOrigin.get(url.origin) ?? new Map()).entries()].map(([k, v]) => `${k}=${v}`).join("; ");
  }
  store(url: URL, setCookie: string[] | string | undefined | null): void {
    const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
    const jar = this.byOrigin.get(url.origin) ?? new Map<string, string>();
    for (const c of list) {
      const [pair, ...attrs] = c.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === "") jar.delete(name);
      else jar.set(name, value);
    }
    this.byOrigin.set(url.origin, jar);
  }
}

/** One GET without following redirects, trusting `ca` for https. */
export function rawGet(url: URL, headers: Record<string, string>, ca?: string): Promise<{ status: number; location: string | null; setCookie: string[]; body: string }> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === "https:" ? import("node:https") : import("node:http");
    mod.then(({ request }) => {
      const req = request(url, { method: "GET", headers, ...(ca ? { ca } : {}) }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, location: res.headers.location ?? null, setCookie: res.headers["set-cookie"] ?? [], body }));
      });
      req.on("error", reject);
      req.end();
    }, reject);
  });
}

/**
 * Follows redirects from `start` (the IdP's authorization URL) like a browser, until a redirect
 * points under `stopAt` (our callback): answers that URL. Throws if the IdP answers anything else.
 */
export async function followUntil(start: string, stopAt: string, jar: CookieJar, ca?: string): Promise<URL> {
  let url = new URL(start);
  for (let hop = 0; hop < 20; hop++) {
    if (url.href.startsWith(stopAt)) return url;
    const res = await rawGet(url, { cookie: jar.header(url) }, ca);
    jar.store(url, res.setCookie);
    if (!res.location) throw new Error(`${url.href} answered ${res.status} without a redirect: ${res.body.slice(0, 500)}`);
    url = new URL(res.location, url);
  }
  throw new Error("too many redirects");
}
