// InfraPilot's one process: a node:http server (no Express) that serves the Remix app (Vite
// middleware in development, the built app in production), attaches Socket.IO, validates the
// environment, prepares the database and shuts down gracefully. No business logic lives here.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { sendResponse } from "@remix-run/node-fetch-server";
import { createRequestHandler, type ServerBuild } from "@remix-run/node";
import sirv from "sirv";
import { env, EnvError } from "./app/server/env.server";
import { logger } from "./app/server/logger.server";
import { startDatabase, stopDatabase } from "./app/server/startup.server";
import { databaseReady } from "./app/server/db/client.server";
import { attachSocketIo } from "./app/server/realtime/io.server";
import { allowedOrigins, crossSiteReason, misdirectedReason, publicHostname } from "./app/server/http/origin";
import { clientIp, isLocalRequest, trustedProxyList } from "./app/server/http/client-ip";
import { announceSetupCode } from "./app/server/auth/setup-code.server";
import { BodyTooLargeError, toFetchRequest } from "./app/server/http/node-adapter.server";
import { startBackgroundJobs } from "./app/server/jobs.server";
import { stopLogCollectors } from "./app/server/logs/collector-boot.server";
import { projectRoot } from "./app/server/paths.server";
import { buildMetrics, metricsAuthorized, observeRequest } from "./app/server/health/metrics.server";
import { startNginxAtBoot } from "./app/server/proxy/boot.server";

let config: ReturnType<typeof env>;
try {
  config = env();
} catch (error) {
  if (error instanceof EnvError) {
    process.stderr.write(`${error.message}\nInfraPilot did not start. Fix the variables above and start it again.\n`);
    process.exit(1);
  }
  throw error;
}

const production = config.NODE_ENV === "production";
const trusted = trustedProxyList(config.TRUSTED_PROXIES);
const ourOrigins = allowedOrigins(config.publicOrigin, config.PORT);
const ourHostname = publicHostname(config.PUBLIC_URL);
const buildDir = join(projectRoot(), "build");

const httpServer = createServer();
httpServer.requestTimeout = 60_000;
httpServer.headersTimeout = 30_000;

const vite = production
  ? undefined
  : await import("vite").then((v) =>
      v.createServer({ server: { middlewareMode: true, hmr: { server: httpServer } }, appType: "custom" }),
    );

if (production && !existsSync(`${buildDir}/server/index.js`)) {
  process.stderr.write("No production build found. Run `npm run build` first (or `npm run dev` for development).\n");
  process.exit(1);
}

const remixHandler = createRequestHandler(
  vite
    ? () => vite.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>
    : ((await import(`${buildDir}/server/index.js`)) as ServerBuild),
  production ? "production" : "development",
);

const staticFiles = production
  ? sirv(`${buildDir}/client`, {
      etag: true,
      gzip: false,
      setHeaders: (res, pathname) => {
        res.setHeader("Cache-Control", pathname.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "public, max-age=3600");
      },
    })
  : undefined;

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  if (res.headersSent) return;
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", ...headers });
  res.end(JSON.stringify(body));
}

function refuse(req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string) {
  if (req.url?.startsWith("/api/")) return sendJson(res, status, { error: { code, message } });
  if (res.headersSent) return;
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" });
  res.end(message);
}

async function handle(req: IncomingMessage, res: ServerResponse) {
  const requestId = randomUUID();
  res.setHeader("X-Request-Id", requestId);
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "same-origin");
  res.setHeader("X-Frame-Options", "DENY");
  const path = (req.url ?? "/").split("?")[0]!;
  const started = process.hrtime.bigint();
  res.once("finish", () => {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    observeRequest(req.method ?? "GET", res.statusCode, seconds);
    // The access log: the logger redacts invitation tokens and token=/code= values from the URL.
    logger.debug("request", { requestId, method: req.method, url: req.url, status: res.statusCode, ms: Math.round(seconds * 1000) });
  });

  if (path === "/healthz") return sendJson(res, 200, { status: "ok" });
  if (path === "/metrics") return serveMetrics(req, res);
  if (path === "/readyz") {
    const ready = await databaseReady();
    return sendJson(res, ready.ok ? 200 : 503, ready.ok ? { status: "ready" } : { status: "unavailable", reason: ready.reason, ...(ready.database ? { database: ready.database } : {}) });
  }

  // Health probes (and the token-guarded /metrics) above answer any Host: container health
  // checks and scrapers use internal names. Everything else is only for our own host name.
  const misdirected = misdirectedReason(req.headers.host, ourHostname);
  if (misdirected) {
    logger.info("refused misdirected request", { requestId, path, host: req.headers.host, reason: misdirected });
    return refuse(req, res, 421, "misdirected_request", `Misdirected request: ${misdirected}. Open InfraPilot at ${config.PUBLIC_URL} (or set PUBLIC_URL to the address you use).`);
  }

  const reason = crossSiteReason({
    method: req.method ?? "GET",
    origin: req.headers.origin ?? null,
    secFetchSite: (req.headers["sec-fetch-site"] as string | undefined) ?? null,
    allowedOrigins: ourOrigins,
    bearer: /^bearer /i.test(req.headers.authorization ?? ""),
    cookie: Boolean(req.headers.cookie),
  });
  if (reason) {
    logger.warn("refused cross-site request", { requestId, path, reason });
    return refuse(req, res, 403, "cross_site_request", `Refused: ${reason}.`);
  }

  const next = () => serveRemix(req, res, requestId);
  if (vite) return vite.middlewares(req, res, next);
  if (staticFiles && (req.method === "GET" || req.method === "HEAD")) return staticFiles(req, res, next);
  return next();
}

/** Prometheus text, per install; 404 unless METRICS_TOKEN is set, 401 without it. */
async function serveMetrics(req: IncomingMessage, res: ServerResponse) {
  const allowed = metricsAuthorized(req.headers.authorization);
  if (allowed === null) return refuse(req, res, 404, "not_found", "Not found.");
  if (!allowed) {
    res.setHeader("WWW-Authenticate", 'Bearer realm="metrics"');
    return refuse(req, res, 401, "unauthorized", "Send Authorization: Bearer <METRICS_TOKEN>.");
  }
  const text = await buildMetrics();
  res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8", "Cache-Control": "no-store" });
  res.end(text);
}

async function serveRemix(req: IncomingMessage, res: ServerResponse, requestId: string) {
  try {
    // The Host header only picks the URL the app sees; PUBLIC_URL decides what is trusted.
    const request = await toFetchRequest(req, res, `http://${req.headers.host ?? "localhost"}`, config.BODY_LIMIT_BYTES);
    const responseHeaders = new Headers();
    const forwardedFor = req.headers["x-forwarded-for"] as string | undefined;
    const ip = clientIp(req.socket.remoteAddress, forwardedFor, trusted);
    const clientIsLocal = isLocalRequest(req.socket.remoteAddress, forwardedFor, trusted);
    const response = await remixHandler(request, { requestId, clientIp: ip, clientIsLocal, responseHeaders });
    for (const [name, value] of responseHeaders) {
      if (name === "set-cookie") continue;
      response.headers.set(name, value);
    }
    for (const cookie of responseHeaders.getSetCookie()) response.headers.append("Set-Cookie", cookie);
    if (!res.headersSent) await sendResponse(res, response);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return refuse(req, res, 413, "payload_too_large", error.message);
    logger.error("request failed", { requestId, error });
    refuse(req, res, 500, "internal", `Something went wrong. Request id ${requestId}.`);
  }
}

httpServer.on("request", (req, res) => {
  handle(req, res).catch((error) => {
    logger.error("request handler crashed", { error });
    refuse(req, res, 500, "internal", "Something went wrong.");
  });
});

try {
  await startDatabase({
    // The embedded PostgreSQL keeps dying: end non-zero so a container restart policy or systemd
    // takes over, instead of a process that stays up answering 503 forever.
    onFatal(message) {
      process.stderr.write(`InfraPilot is exiting: ${message}\n`);
      void shutdown("database failed", 1);
    },
  });
} catch (error) {
  logger.error("startup failed", { error });
  process.stderr.write(`InfraPilot could not prepare its database: ${error instanceof Error ? error.message : String(error)}\n`);
  await stopDatabase().catch(() => {});
  process.exit(1);
}

// A database hiccup here is no reason not to start: the first remote setup attempt prints a code.
await announceSetupCode().catch((error) => logger.warn("could not check whether setup is needed", { error }));
const io = attachSocketIo(httpServer, { allowedOrigins: ourOrigins, publicHostname: ourHostname });
const stopJobs = startBackgroundJobs();
// Not awaited: a missing or broken nginx is a warning (and a note on the Proxies page), not a failed start.
startNginxAtBoot();

httpServer.listen(config.PORT, config.HOST, () => {
  logger.info("InfraPilot is listening", { url: config.PUBLIC_URL, port: config.PORT, host: config.HOST, edition: config.EDITION, mode: production ? "production" : "development" });
});

let stopping = false;
/** Within docker-compose's stop_grace_period (30 s): past it the engine would SIGKILL us anyway. */
const SHUTDOWN_DEADLINE_MS = 25_000;
async function shutdown(signal: string, exitCode = 0) {
  if (stopping) return;
  stopping = true;
  logger.info("shutting down", { signal, exitCode });
  let step = "closing connections";
  const force = setTimeout(() => {
    logger.error("shutdown did not finish in time; exiting anyway", { seconds: SHUTDOWN_DEADLINE_MS / 1000, step });
    process.exit(1);
  }, SHUTDOWN_DEADLINE_MS);
  force.unref();
  stopJobs();
  httpServer.close();
  await new Promise<void>((resolve) => io.close(() => resolve()));
  httpServer.closeAllConnections();
  await vite?.close();
  step = "stopping log collectors";
  await stopLogCollectors().catch((error) => logger.error("log collectors did not stop cleanly", { error }));
  step = "stopping the database";
  await stopDatabase().catch((error) => logger.error("database shutdown failed", { error }));
  clearTimeout(force);
  process.exit(exitCode);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
