// Structured one-line JSON logs to stdout/stderr, filtered by LOG_LEVEL. Every line is redacted
// (invitation tokens, `token=`/`code=` values, bearer tokens) before it is written.
import { redactSecrets } from "./http/redact";

const LEVELS = { error: 0, warn: 1, info: 2, debug: 3 } as const;
type Level = keyof typeof LEVELS;

function threshold(): number {
  const configured = process.env.LOG_LEVEL as Level | undefined;
  return LEVELS[configured && configured in LEVELS ? configured : "info"];
}

function serialise(value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}

function write(level: Level | "notice", message: string, fields?: Record<string, unknown>) {
  if (level !== "notice" && LEVELS[level] > threshold()) return;
  const entry: Record<string, unknown> = { time: new Date().toISOString(), level, msg: message };
  for (const [k, v] of Object.entries(fields ?? {})) entry[k] = serialise(v);
  const line = redactSecrets(JSON.stringify(entry)) + "\n";
  if (level === "error" || level === "warn") process.stderr.write(line);
  else process.stdout.write(line);
}

export const logger = {
  error: (msg: string, fields?: Record<string, unknown>) => write("error", msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>) => write("warn", msg, fields),
  info: (msg: string, fields?: Record<string, unknown>) => write("info", msg, fields),
  debug: (msg: string, fields?: Record<string, unknown>) => write("debug", msg, fields),
  /** Written whatever LOG_LEVEL says: for what an operator must see (the one-time setup code). */
  announce: (msg: string, fields?: Record<string, unknown>) => write("notice", msg, fields),
};
