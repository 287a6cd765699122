// Detects the severity of one log line. Pure and cheap: it runs on every line
// of every followed container, so it looks only at the head of a message and
// parses JSON only when the line looks like a JSON object.
//
// It prefers "unknown" to a guess: a line is only classified when it states its
// level in a recognised shape. Writing to stderr alone means nothing (many
// programs log everything there).

export type LogLevel = "error" | "warn" | "info" | "debug" | "unknown";

export interface DetectLevelOptions {
  stream?: "stdout" | "stderr" | "access" | "error";
  /** container output (default), an HTTP access log, or an nginx error log. */
  kind?: "container" | "access" | "error";
}

const WORDS: Record<string, LogLevel> = {
  emerg: "error",
  emergency: "error",
  alert: "error",
  crit: "error",
  critical: "error",
  fatal: "error",
  panic: "error",
  severe: "error",
  error: "error",
  err: "error",
  eror: "error",
  warn: "warn",
  warning: "warn",
  wrn: "warn",
  notice: "info",
  note: "info",
  info: "info",
  inf: "info",
  information: "info",
  informational: "info",
  system: "info",
  log: "info",
  debug: "debug",
  dbg: "debug",
  trace: "debug",
  verbose: "debug",
  fine: "debug",
  finer: "debug",
  finest: "debug",
};

/** A level word as it appears in structured fields: any case, e.g. "Warning", "ERROR". */
function levelFromWord(value: string): LogLevel {
  return WORDS[value.trim().toLowerCase()] ?? "unknown";
}

/** pino and bunyan: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal. */
function levelFromNumber(value: number): LogLevel {
  if (!Number.isFinite(value) || value < 10 || value > 60) return "unknown";
  if (value >= 50) return "error";
  if (value >= 40) return "warn";
  if (value >= 30) return "info";
  return "debug";
}

const JSON_LEVEL_KEYS = ["level", "severity", "lvl", "loglevel", "log_level", "levelname", "log.level", "@l", "@level", "Level", "Severity"];

function levelFromJson(message: string): LogLevel | null {
  const text = message.trim();
  if (text.length > 65_536 || !text.startsWith("{") || !text.endsWith("}")) return null;
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return null;
  }
  if (!document || typeof document !== "object" || Array.isArray(document)) return null;
  const record = document as Record<string, unknown>;
  const nestedLog = record.log && typeof record.log === "object" ? (record.log as Record<string, unknown>).level : undefined;
  for (const value of [...JSON_LEVEL_KEYS.map((key) => record[key]), nestedLog]) {
    if (typeof value === "number") return levelFromNumber(value);
    if (typeof value === "string" && value) {
      const numeric = Number(value);
      return Number.isFinite(numeric) && value.trim() !== "" ? levelFromNumber(numeric) : levelFromWord(value);
    }
  }
  // A JSON line without a level field: its text fields could say "error" in any sense.
  return "unknown";
}

const LOGFMT = /(?:^|\s)(?:level|lvl|severity|loglevel)=(?:"([^"]*)"|([^\s"]+))/i;
const NGINX_ERROR_LOG = /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} \[(\w+)\]/;
const BRACKETED = /\[(?:[\w-]+:)?(emerg|alert|crit|critical|fatal|panic|error|err|warn|warning|notice|note|info|system|debug|trace)\]/i;
const GLOG = /^([IWEF])\d{4} \d{2}:\d{2}:\d{2}/;
const PYTHON = /^(CRITICAL|FATAL|ERROR|WARNING|WARN|INFO|DEBUG):[^:\s]*:/;
const POSTGRES = /(?:^|\s)(PANIC|FATAL|ERROR|WARNING|LOG|INFO|NOTICE|DEBUG\d?):\s/;
const LEADING_WORD = /^(error|err|warn|warning|info|debug|fatal|panic|critical|trace)(?::|\s*\|)/i;
const UPPERCASE_WORD = /(?:^|[\s[(|,;])(FATAL|PANIC|CRITICAL|CRIT|ERROR|ERR|WARNING|WARN|NOTICE|INFO|DEBUG|TRACE)(?=$|[\s\]):|,;-])/;
// Monolog (Laravel, Symfony): "[2024-01-01 12:00:00] production.ERROR: …", "local.WARNING: …".
// The level is upper case, glued to the channel by a dot and followed by a colon; the channel
// opens the line or follows the bracketed date.
const MONOLOG = /^(?:\[[^\]]{8,40}\]\s+)?[A-Za-z][\w-]*\.(EMERGENCY|ALERT|CRITICAL|ERROR|WARNING|NOTICE|INFO|DEBUG):/;
// An HTTP access log (common or combined format) in container output: the status after the
// quoted request line decides, as for nginx's own access logs.
const COMMON_LOG = /^\S+ \S+ \S+ \[\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "(?:[^"\\]|\\.)*" ([1-5]\d{2}) (?:\d+|-)(?: |$)/;
const REDIS = /^\d+:[A-Z] \d{1,2} \w{3} \d{4} [\d:.]+ ([.\-*#]) /;
const GO_PANIC = /^(?:panic: |fatal error: |Traceback \(most recent call last\):|Exception in thread |Unhandled exception)/;
const STACK_FRAME = /^\s+(?:at .+[(:]\S+:\d+(?::\d+)?\)?$|File ".+", line \d+)/;

const REDIS_LEVELS: Record<string, LogLevel> = { ".": "debug", "-": "debug", "*": "info", "#": "warn" };

/** The first characters hold the level in every shape we recognise. */
const HEAD = 160;

function levelFromText(message: string, stream: DetectLevelOptions["stream"]): LogLevel {
  const head = message.length > HEAD ? message.slice(0, HEAD) : message;
  const trimmed = head.trimStart();

  // Anchored, and ruled out by one substring test for almost every other line.
  if (trimmed.includes('] "')) {
    const common = COMMON_LOG.exec(trimmed);
    if (common) return levelFromStatus(Number(common[1]));
  }
  const logfmt = LOGFMT.exec(head);
  if (logfmt) {
    const level = levelFromWord(logfmt[1] ?? logfmt[2] ?? "");
    if (level !== "unknown") return level;
  }
  const nginx = NGINX_ERROR_LOG.exec(trimmed);
  if (nginx) return levelFromWord(nginx[1]);
  const glog = GLOG.exec(trimmed);
  if (glog) return ({ I: "info", W: "warn", E: "error", F: "error" } as const)[glog[1] as "I" | "W" | "E" | "F"];
  const monolog = MONOLOG.exec(trimmed);
  if (monolog) return levelFromWord(monolog[1]);
  const python = PYTHON.exec(trimmed);
  if (python) return levelFromWord(python[1]);
  const redis = REDIS.exec(trimmed);
  if (redis) return REDIS_LEVELS[redis[1]];
  if (GO_PANIC.test(trimmed)) return "error";
  const leading = LEADING_WORD.exec(trimmed);
  if (leading) return levelFromWord(leading[1]);
  const bracketed = BRACKETED.exec(head);
  if (bracketed) return levelFromWord(bracketed[1]);
  const postgres = POSTGRES.exec(head);
  if (postgres) return postgres[1].startsWith("DEBUG") ? "debug" : levelFromWord(postgres[1]);
  const upper = UPPERCASE_WORD.exec(head);
  if (upper) return levelFromWord(upper[1]);
  if (stream === "stderr" && STACK_FRAME.test(message)) return "error";
  return "unknown";
}

/** 5xx is the server failing, 4xx a refused request worth a look, the rest is traffic. */
function levelFromStatus(status: number): LogLevel {
  if (status >= 500) return "error";
  if (status >= 400) return "warn";
  return "info";
}

const ACCESS_STATUS = /"\s+([1-5]\d{2})(?:\s|$)/;
const JSON_STATUS_KEYS = ["status", "statusCode", "status_code", "response_status"];

function statusFromAccessLine(message: string): number | null {
  const text = message.trim();
  if (text.startsWith("{")) {
    try {
      const record = JSON.parse(text) as Record<string, unknown>;
      for (const key of JSON_STATUS_KEYS) {
        const value = Number(record[key]);
        if (Number.isInteger(value) && value >= 100 && value <= 599) return value;
      }
    } catch {
      // not JSON after all: try the text shape
    }
  }
  const match = ACCESS_STATUS.exec(message);
  return match ? Number(match[1]) : null;
}

export function detectLevel(message: string, options: DetectLevelOptions = {}): LogLevel {
  const kind = options.kind ?? (options.stream === "access" ? "access" : options.stream === "error" ? "error" : "container");
  if (kind === "access") {
    const status = statusFromAccessLine(message);
    return status === null ? "unknown" : levelFromStatus(status);
  }
  if (kind === "error") {
    const nginx = NGINX_ERROR_LOG.exec(message.trimStart());
    if (nginx) return levelFromWord(nginx[1]);
  }
  const fromJson = levelFromJson(message);
  if (fromJson !== null) return fromJson;
  return levelFromText(message, options.stream);
}
