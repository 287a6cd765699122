import { describe, expect, it } from "vitest";
import { detectLevel, type DetectLevelOptions, type LogLevel } from "~/server/logs/level";

type Case = [message: string, expected: LogLevel, options?: DetectLevelOptions];

const json: Case[] = [
  ['{"level":"error","msg":"db down"}', "error"],
  ['{"level":"WARN","msg":"slow"}', "warn"],
  ['{"severity":"INFO","message":"ok"}', "info"],
  ['{"lvl":"dbug","msg":"x"}', "unknown"],
  ['{"lvl":"debug","msg":"x"}', "debug"],
  ['{"level":10,"msg":"pino trace"}', "debug"],
  ['{"level":20,"msg":"pino debug"}', "debug"],
  ['{"level":30,"msg":"pino info"}', "info"],
  ['{"level":40,"msg":"pino warn"}', "warn"],
  ['{"level":50,"msg":"pino error"}', "error"],
  ['{"level":60,"msg":"pino fatal"}', "error"],
  ['{"level":"50","msg":"as a string"}', "error"],
  ['{"@l":"Warning","@mt":"serilog"}', "warn"],
  ['{"log.level":"error","message":"ECS"}', "error"],
  ['{"log":{"level":"info"},"message":"ECS nested"}', "info"],
  ['{"levelname":"CRITICAL","message":"python json"}', "error"],
  ['{"msg":"an ERROR inside a field is not a level"}', "unknown"],
  ['{"level":"error"', "unknown"],
];

const logfmt: Case[] = [
  ['time=2024-01-01T00:00:00Z level=error msg="boom"', "error"],
  ["level=warn msg=slow", "warn"],
  ['ts=1 lvl=info caller=main.go:12 msg="started"', "info"],
  ['time=2024-01-01T00:00:00Z level=DEBUG source=x.go:1 msg="slog text"', "debug"],
];

const text: Case[] = [
  ["ERROR something failed", "error"],
  ["2024-11-25 17:20:01 ERROR [main] connection refused", "error"],
  ["2024-11-25 17:20:01,123 WARN  c.e.App - disk almost full", "warn"],
  ["2024-11-25 17:20:01 WARNING low memory", "warn"],
  ["12:00:00.123 [main] INFO  com.example.App - Started App", "info"],
  ["[error] upstream timed out", "error"],
  ["[WARN] deprecated flag", "warn"],
  ["[2024-11-25T17:20:01Z ERROR app::db] connection lost", "error"],
  ["E1125 17:20:01.123456    1 controller.go:114] sync failed", "error"],
  ["W1125 17:20:01.123456    1 reflector.go:424] watch ended", "warn"],
  ["I1125 17:20:01.123456    1 main.go:10] serving", "info"],
  ["F1125 17:20:01.123456    1 main.go:10] cannot continue", "error"],
  ["ERROR:root:something broke", "error"],
  ["WARNING:urllib3.connectionpool:Retrying", "warn"],
  ["INFO:uvicorn.error:Application startup complete.", "info"],
  ["DEBUG:asyncio:Using selector: EpollSelector", "debug"],
  ["error: cannot open file", "error"],
  ["warning: ignoring option", "warn"],
  ["panic: runtime error: index out of range [3] with length 3", "error"],
  ["Traceback (most recent call last):", "error"],
  ["2024-11-25 17:20:01.000 UTC [1] LOG:  database system is ready to accept connections", "info"],
  ["2024-11-25 17:20:01.000 UTC [57] ERROR:  relation \"users\" does not exist", "error"],
  ["2024-11-25 17:20:01.000 UTC [57] FATAL:  password authentication failed", "error"],
  ["2024-11-25T17:20:01.000000Z 0 [Warning] [MY-011068] [Server] deprecated", "warn"],
  ["2024-11-25T17:20:01.000000Z 0 [System] [MY-010116] [Server] starting", "info"],
  ["[Mon Nov 25 17:20:01.000 2024] [core:error] [pid 1] AH00124: request exceeded the limit", "error"],
  ["1:M 25 Nov 2024 17:20:01.000 # WARNING overcommit_memory is set to 0", "warn"],
  ["1:M 25 Nov 2024 17:20:01.000 * Ready to accept connections tcp", "info"],
  ["E, [2024-11-25T17:20:01.000 #1] ERROR -- : ruby logger", "error"],
];

const monolog: Case[] = [
  ["[2024-01-01 12:00:00] production.ERROR: SQLSTATE[HY000] [2002] Connection refused {\"exception\":\"[object] (PDOException(code: 2002)\"} []", "error"],
  ["[2024-01-01 12:00:00] local.WARNING: Undefined array key \"name\" in /var/www/app/Http/Controllers/X.php on line 12", "warn"],
  ["[2024-01-01T12:00:00.123456+00:00] app.DEBUG: Matched route \"home\". {\"route\":\"home\"} []", "debug"],
  ["[2024-01-01 12:00:00] production.INFO: User 42 logged in", "info"],
  ["[2024-01-01 12:00:00] production.NOTICE: Mail queue is slow", "info"],
  ["[2024-01-01 12:00:00] production.CRITICAL: Payment gateway down", "error"],
  ["[2024-01-01 12:00:00] production.ALERT: Disk full", "error"],
  ["[2024-01-01 12:00:00] production.EMERGENCY: Cannot write to storage/logs", "error"],
  ["local.WARNING: no timestamp, channel first", "warn"],
  ["app.DEBUG: no timestamp either", "debug"],
  ["request.CRITICAL: Uncaught PHP Exception", "error"],
];

const commonAccess: Case[] = [
  ['127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.1" 502 123 "-" "curl/8.5"', "error"],
  ['127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326', "info"],
  ['172.18.0.1 - - [25/Nov/2024:17:20:01 +0000] "GET /missing HTTP/1.1" 404 153 "-" "Mozilla/5.0"', "warn"],
  ['172.18.0.1 - - [25/Nov/2024:17:20:01 +0000] "POST /login HTTP/1.1" 429 - "-" "k6"', "warn"],
  ['172.18.0.1 - - [25/Nov/2024:17:20:01 +0000] "GET /old HTTP/1.1" 301 169 "-" "curl/8.5"', "info"],
  ['::1 - - [25/Nov/2024:17:20:01 +0000] "GET /health HTTP/1.1" 503 0', "error", { stream: "stderr" }],
  // The request line says ERROR, the status says all is well.
  ['127.0.0.1 - - [25/Nov/2024:17:20:01 +0000] "GET /ERROR HTTP/1.1" 200 5 "-" "ERROR-bot"', "info"],
  ['127.0.0.1 - - [25/Nov/2024:17:20:01 +0000] "GET /a\\"b HTTP/1.1" 500 5', "error"],
];

const unknown: Case[] = [
  ["hello world", "unknown"],
  ["", "unknown"],
  ["no errors were found", "unknown"],
  ["Listening on port 8080", "unknown"],
  ["the word error in lower case in the middle", "unknown"],
  ["tick 42", "unknown", { stream: "stderr" }],
  ["progress: 50%", "unknown", { stream: "stderr" }],
  // Prose with a status number or the word error is not a log format.
  ["Server returned 500 for /api/users", "unknown"],
  ["GET /x 502 in 12ms", "unknown"],
  ["HTTP 404 Not Found", "unknown"],
  ["an error occurred while saving the file", "unknown"],
  ["retrying after error 500 (attempt 3)", "unknown"],
  ['the client said "GET /x HTTP/1.1" 502 times', "unknown"],
  ["[2024-01-01 12:00:00] production.Error: a level word in the wrong case", "unknown"],
  ["see docs.error: for details", "unknown"],
  ["version 2.0.INFO: not a channel", "unknown"],
];

const unchanged: Case[] = [
  // Today's rules keep their say: an upper-case level word still counts, as before.
  ["GET /x failed: ERROR 500", "error"],
  ["[2024-01-01 12:00:00] production ERROR something", "error"],
];

const stderrShapes: Case[] = [
  ["    at Object.<anonymous> (/app/index.js:10:15)", "error", { stream: "stderr" }],
  ['  File "/app/main.py", line 3, in <module>', "error", { stream: "stderr" }],
  ["    at Object.<anonymous> (/app/index.js:10:15)", "unknown", { stream: "stdout" }],
];

const nginxError: Case[] = [
  ["2024/11/25 17:20:01 [emerg] 1#1: bind() to 0.0.0.0:80 failed", "error", { kind: "error" }],
  ["2024/11/25 17:20:01 [alert] 1#1: worker process exited", "error", { kind: "error" }],
  ["2024/11/25 17:20:01 [crit] 1#1: SSL_do_handshake() failed", "error", { kind: "error" }],
  ["2024/11/25 17:20:01 [error] 7#7: *1 connect() failed (111: Connection refused)", "error", { kind: "error" }],
  ["2024/11/25 17:20:01 [warn] 1#1: conflicting server name", "warn", { kind: "error" }],
  ["2024/11/25 17:20:01 [notice] 1#1: signal process started", "info", { kind: "error" }],
  ["2024/11/25 17:20:01 [info] 7#7: *3 client closed connection", "info", { kind: "error" }],
  ["2024/11/25 17:20:01 [debug] 7#7: *3 http request line", "debug", { kind: "error" }],
  ["2024/11/25 17:20:01 [error] 7#7: from a container's stdout", "error"],
  ["nginx: [emerg] unknown directive \"foo\"", "error", { kind: "error" }],
];

const access: Case[] = [
  ['127.0.0.1 - - [25/Nov/2024:17:20:01 +0000] "GET / HTTP/1.1" 200 612 "-" "curl/8.5"', "info", { kind: "access" }],
  ['127.0.0.1 - - [25/Nov/2024:17:20:01 +0000] "GET /old HTTP/1.1" 301 169 "-" "curl/8.5"', "info", { kind: "access" }],
  ['127.0.0.1 - - [25/Nov/2024:17:20:01 +0000] "GET /x HTTP/1.1" 404 153 "-" "curl/8.5"', "warn", { kind: "access" }],
  ['127.0.0.1 - alice [25/Nov/2024:17:20:01 +0000] "POST /api HTTP/2.0" 429 0 "-" "k6"', "warn", { kind: "access" }],
  ['127.0.0.1 - - [25/Nov/2024:17:20:01 +0000] "GET /api HTTP/1.1" 502 157 "-" "curl/8.5"', "error", { kind: "access" }],
  ['10.0.0.1 - - [25/Nov/2024:17:20:01 +0000] "-" 400 0 "-" "-"', "warn", { kind: "access" }],
  ['{"time":"2024-11-25T17:20:01Z","status":503,"request":"GET / HTTP/1.1"}', "error", { kind: "access" }],
  ['{"time":"2024-11-25T17:20:01Z","status":"204"}', "info", { kind: "access" }],
  ['127.0.0.1 - - [25/Nov/2024:17:20:01 +0000] "GET /error HTTP/1.1" 200 5 "-" "curl"', "info", { stream: "access" }],
  ["not an access log line", "unknown", { kind: "access" }],
];

describe("detectLevel", () => {
  it.each([...json])("reads the level field of a JSON line: %s → %s", (message, expected, options) => {
    expect(detectLevel(message, options)).toBe(expected);
  });

  it.each([...logfmt])("reads logfmt level=: %s → %s", (message, expected, options) => {
    expect(detectLevel(message, options)).toBe(expected);
  });

  it.each([...text])("recognises common text prefixes: %s → %s", (message, expected, options) => {
    expect(detectLevel(message, options)).toBe(expected);
  });

  it.each([...monolog])("reads Monolog/Laravel channel.LEVEL: lines: %s → %s", (message, expected, options) => {
    expect(detectLevel(message, options)).toBe(expected);
  });

  it.each([...commonAccess])("classifies common/combined access-log lines in container output by status: %s → %s", (message, expected, options) => {
    expect(detectLevel(message, options)).toBe(expected);
  });

  it.each([...unchanged])("keeps what the existing rules already said: %s → %s", (message, expected, options) => {
    expect(detectLevel(message, options)).toBe(expected);
  });

  it.each([...unknown])("leaves a line without a stated level unknown: %s", (message, expected, options) => {
    expect(detectLevel(message, options)).toBe(expected);
  });

  it.each([...stderrShapes])("treats stack frames on stderr as errors: %s (%j)", (message, expected, options) => {
    expect(detectLevel(message, options)).toBe(expected);
  });

  it.each([...nginxError])("maps nginx error-log levels: %s → %s", (message, expected, options) => {
    expect(detectLevel(message, options)).toBe(expected);
  });

  it.each([...access])("classifies access-log lines by HTTP status class: %s → %s", (message, expected, options) => {
    expect(detectLevel(message, options)).toBe(expected);
  });

  it("only looks at the head of a very long line", () => {
    expect(detectLevel(`${"x".repeat(10_000)} ERROR`)).toBe("unknown");
    expect(detectLevel(`ERROR ${"x".repeat(100_000)}`)).toBe("error");
  });
});
