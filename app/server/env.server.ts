// The one place configuration is read. Parsed once, validated with zod; an invalid value stops
// startup with a single message naming every bad variable and what it expects (see API.md).
import { z } from "zod";
import { resolve } from "node:path";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"], { message: "expected true or false" })
  .transform((v) => v === "true" || v === "1" || v === "yes");

const port = z.coerce
  .number({ message: "expected a port number" })
  .int("expected a whole number")
  .min(1, "expected a port between 1 and 65535")
  .max(65535, "expected a port between 1 and 65535");

const url = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `expected a URL starting with ${protocols.map((p) => p + "//").join(" or ")}`);

const list = z
  .string()
  .transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean));

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  EDITION: z.enum(["community", "saas"], { message: "expected community or saas" }).default("community"),
  PORT: port.default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  PUBLIC_URL: url(["http:", "https:"]).optional(),
  DATA_DIR: z.string().min(1).default("./data"),
  DATABASE_URL: url(["postgres:", "postgresql:"]).optional(),
  DATABASE_APP_URL: url(["postgres:", "postgresql:"]).optional(),
  ENCRYPTION_KEY: z
    .string()
    .regex(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, "expected 32 bytes as 64 hex characters or base64")
    .optional(),
  LOG_LEVEL: z.enum(["error", "warn", "info", "debug"], { message: "expected error, warn, info or debug" }).default("info"),
  TRUSTED_PROXIES: list.default([]),
  DOCKER_HOST: z
    .string()
    .regex(/^(unix:\/\/\/.+|tcp:\/\/[^\s/]+:\d+|npipe:.+)$/, "expected unix:///path/to/docker.sock or tcp://host:port")
    .default("unix:///var/run/docker.sock"),
  NGINX_MODE: z.enum(["local", "container", "off"], { message: "expected local, container or off" }).default("local"),
  NGINX_BIN: z.string().min(1).default("nginx"),
  NGINX_CONTAINER: z.string().optional(),
  NGINX_CONF_DIR: z.string().optional(),
  NGINX_LISTEN_ADDRESS: z.string().min(1).default("0.0.0.0"),
  NGINX_HTTP_PORT: port.default(80),
  NGINX_HTTPS_PORT: port.default(443),
  /** Per-host nginx logs are rotated above this size (MB), and daily; NGINX_LOG_KEEP old files are kept. */
  NGINX_LOG_MAX_MB: z.coerce.number({ message: "expected a number of megabytes" }).int().min(1).max(100_000).default(50),
  NGINX_LOG_KEEP: z.coerce.number({ message: "expected a number of files" }).int().min(1).max(100).default(5),
  ACME_DIRECTORY_URL: url(["https:", "http:"]).default("https://acme-v02.api.letsencrypt.org/directory"),
  ACME_EMAIL: z.email({ message: "expected an e-mail address" }).optional(),
  ALERTS_ALLOW_PRIVATE: bool.default(false),
  ALERTS_ALLOWED_HOSTS: list.default([]),
  /** How the built-in agent's nginx reaches this server for status pages on custom domains (decision 140). */
  STATUS_PAGES_UPSTREAM: url(["http:"]).optional(),
  /** Per-organization allowances for monitor checks from the control plane (decision 064):
   *  `<orgId>=host[:port] host2;<orgId2>=…`, set by the operator, never by a tenant. */
  MONITORS_ORG_ALLOWED_HOSTS: z.string().max(20_000).default(""),
  METRICS_TOKEN: z.string().min(16, "expected at least 16 characters").optional(),
  SMTP_URL: url(["smtp:", "smtps:"]).optional(),
  /** SaaS: who may create an organization. open: anyone (sign-up page); invite: only invited people join; closed: neither. */
  SIGNUP: z.enum(["open", "invite", "closed"], { message: "expected open, invite or closed" }).default("invite"),
  LOGS_PERSIST: bool.default(true),
  ALERTS_TICK_SECONDS: z.coerce.number({ message: "expected a number of seconds" }).int().min(1).max(3600).default(30),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
});

export type Env = z.infer<typeof schema> & {
  PUBLIC_URL: string;
  DATA_DIR: string;
  NGINX_CONF_DIR: string;
  publicOrigin: string;
  secureCookies: boolean;
};

export class EnvError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvError";
  }
}

/** Pure: parse a record of variables. Empty strings count as unset. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = issue.path.join(".");
      const value = cleaned[name];
      const shown = value === undefined ? "" : ` (got ${JSON.stringify(name.includes("KEY") || name.includes("TOKEN") || name.includes("URL") ? "…" : value)})`;
      return `${name}: ${issue.message}${shown}`;
    });
    throw new EnvError(problems);
  }
  const e = result.data;
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, "");
  const dataDir = resolve(e.DATA_DIR);
  return {
    ...e,
    PUBLIC_URL: publicUrl,
    DATA_DIR: dataDir,
    NGINX_CONF_DIR: resolve(e.NGINX_CONF_DIR ?? `${dataDir}/nginx`),
    publicOrigin: new URL(publicUrl).origin,
    secureCookies: publicUrl.startsWith("https:"),
  };
}

let cached: Env | undefined;
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
