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

const unknown: Case[] = [
  ["hello world", "unknown"],
  ["", "unknown"],
  ["no errors were found", "unknown"],
  ["Listening on port 8080", "unknown"],
  ["the word error in lower case in the middle", "unknown"],
  ["tick 42", "unknown", { stream: "stderr" }],
  ["progress: 50%", "unknown", { stream: "stderr" }],
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
