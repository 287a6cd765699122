// Pure parts of the agent (no engine needed): stream decoding at every chunk
// boundary, DOCKER_HOST parsing, engine JSON mapping and CPU arithmetic.
import { describe, expect, it } from "vitest";
import { AsyncQueue } from "#agent/async-queue";
import { parseDockerHost } from "#agent/local/docker-host";
import { FrameDemuxer, LogDecoder, splitTimestamp } from "#agent/local/log-decoder";
import { healthFromStatusText, parseEnv, toContainerEvent, toContainerSummary } from "#agent/local/mappers";
import { cpuPercentBetween, memoryUsedBytes } from "#agent/local/stats-math";
import { parseProcCgroup } from "#agent/local/cgroup-stats";

function frame(stream: 1 | 2, text: string | Buffer): Buffer {
  const payload = typeof text === "string" ? Buffer.from(text) : text;
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/** Feeds `bytes` cut into pieces of `size` bytes. */
function decodeInChunks(bytes: Buffer, size: number, tty: boolean, timestamps = true) {
  const decoder = new LogDecoder({ tty, timestamps });
  const entries = [];
  for (let i = 0; i < bytes.length; i += size) entries.push(...decoder.push(bytes.subarray(i, i + size)));
  entries.push(...decoder.end());
  return entries;
}

describe("decoding the engine's log stream", () => {
  const ts = (n: number) => `2024-11-25T17:20:0${n}.123456789Z `;
  const longLine = "x".repeat(20_000);
  const framed = Buffer.concat([
    frame(1, `${ts(1)}héllo wörld ✓\n`),
    frame(2, `${ts(2)}an error\n`),
    // The logging driver cuts a long line into parts, each with its own timestamp.
    frame(1, `${ts(3)}${longLine.slice(0, 16_384)}`),
    frame(1, `${ts(4)}${longLine.slice(16_384)}\n`),
    frame(1, `${ts(5)}\n`),
  ]);
  const expected = [
    { time: "2024-11-25T17:20:01.123Z", stream: "stdout", message: "héllo wörld ✓" },
    { time: "2024-11-25T17:20:02.123Z", stream: "stderr", message: "an error" },
    { time: "2024-11-25T17:20:03.123Z", stream: "stdout", message: longLine },
    { time: "2024-11-25T17:20:05.123Z", stream: "stdout", message: "" },
  ];

  it.each([1, 2, 3, 5, 7, 8, 9, 13, 64, 4096, 1 << 20])(
    "demultiplexes framed stdout and stderr the same whatever the chunk size (%i bytes)",
    (size) => {
      expect(decodeInChunks(framed, size, false)).toEqual(expected);
    },
  );

  it("splits a raw TTY stream into lines without carriage returns", () => {
    const raw = Buffer.from(`${ts(1)}first\r\n${ts(2)}sec😀nd\r\n${ts(3)}unterminated`);
    for (const size of [1, 2, 5, 100]) {
      expect(decodeInChunks(raw, size, true)).toEqual([
        { time: "2024-11-25T17:20:01.123Z", stream: "stdout", message: "first" },
        { time: "2024-11-25T17:20:02.123Z", stream: "stdout", message: "sec😀nd" },
        { time: "2024-11-25T17:20:03.123Z", stream: "stdout", message: "unterminated" },
      ]);
    }
  });

  it("keeps lines that merely look like timestamps when timestamps were not requested", () => {
    const bytes = frame(1, `${ts(1)}message\n`);
    expect(decodeInChunks(bytes, 3, false, false)).toEqual([{ time: null, stream: "stdout", message: `${ts(1)}message` }]);
  });

  it("waits for a whole frame, header included, before emitting it", () => {
    const demuxer = new FrameDemuxer();
    const bytes = Buffer.concat([frame(2, "abc"), frame(1, "de")]);
    expect(demuxer.push(bytes.subarray(0, 5))).toEqual([]);
    expect(demuxer.push(bytes.subarray(5, 10))).toEqual([]);
    const frames = demuxer.push(bytes.subarray(10));
    expect(frames.map((f) => [f.stream, f.payload.toString()])).toEqual([
      ["stderr", "abc"],
      ["stdout", "de"],
    ]);
    expect(demuxer.leftoverBytes).toBe(0);
  });

  it("parses RFC 3339 timestamps with nanoseconds or offsets", () => {
    expect(splitTimestamp("2024-11-25T17:20:01.5+02:00 hi")).toEqual({ time: "2024-11-25T15:20:01.500Z", message: "hi" });
    expect(splitTimestamp("2024-11-25T17:20:01Z hi")).toEqual({ time: "2024-11-25T17:20:01.000Z", message: "hi" });
    expect(splitTimestamp("not a time")).toEqual({ time: null, message: "not a time" });
  });
});

describe("parsing DOCKER_HOST", () => {
  it.each([
    [undefined, { kind: "unix", socketPath: "/var/run/docker.sock", display: "unix:///var/run/docker.sock" }],
    ["", { kind: "unix", socketPath: "/var/run/docker.sock", display: "unix:///var/run/docker.sock" }],
    ["unix:///tmp/ip-docker/docker.sock", { kind: "unix", socketPath: "/tmp/ip-docker/docker.sock", display: "unix:///tmp/ip-docker/docker.sock" }],
    ["/run/docker.sock", { kind: "unix", socketPath: "/run/docker.sock", display: "unix:///run/docker.sock" }],
    ["tcp://127.0.0.1:2375", { kind: "tcp", host: "127.0.0.1", port: 2375, tls: false, display: "tcp://127.0.0.1:2375" }],
    ["tcp://docker.internal", { kind: "tcp", host: "docker.internal", port: 2375, tls: false, display: "tcp://docker.internal" }],
    ["tcp://[::1]:2376", { kind: "tcp", host: "::1", port: 2376, tls: false, display: "tcp://[::1]:2376" }],
    ["https://10.0.0.5", { kind: "tcp", host: "10.0.0.5", port: 2376, tls: true, display: "https://10.0.0.5" }],
  ])("reads %s", (value, expected) => {
    expect(parseDockerHost(value)).toEqual(expected);
  });

  it.each(["ssh://user@host", "npipe:////./pipe/docker_engine", "unix://relative.sock", "docker.sock"])(
    "rejects %s with a message naming the value",
    (value) => {
      expect(() => parseDockerHost(value)).toThrow(value);
    },
  );
});

describe("mapping engine JSON", () => {
  it("turns a list entry into a summary with its stack, ports and health", () => {
    const summary = toContainerSummary({
      Id: "abc",
      Names: ["/shop-web-1"],
      Image: "nginx:1.27",
      ImageID: "sha256:1",
      Command: "nginx -g 'daemon off;'",
      Created: 1_732_550_400,
      State: "running",
      Status: "Up 2 hours (unhealthy)",
      Labels: { "com.docker.compose.project": "shop", "com.docker.compose.service": "web" },
      Ports: [
        { PrivatePort: 80, PublicPort: 8080, Type: "tcp", IP: "0.0.0.0" },
        { PrivatePort: 80, PublicPort: 8080, Type: "tcp", IP: "0.0.0.0" },
        { PrivatePort: 53, Type: "udp" },
      ],
    });
    expect(summary).toMatchObject({
      id: "abc",
      name: "shop-web-1",
      state: "running",
      stack: "shop",
      service: "web",
      health: "unhealthy",
      createdAt: "2024-11-25T16:00:00.000Z",
      ports: [
        { private: 53, public: null, protocol: "udp", ip: null },
        { private: 80, public: 8080, protocol: "tcp", ip: "0.0.0.0" },
      ],
    });
  });

  it("reads health from the status text the list endpoint gives", () => {
    expect(healthFromStatusText("Up 3 seconds (health: starting)")).toBe("starting");
    expect(healthFromStatusText("Up 3 hours (healthy)")).toBe("healthy");
    expect(healthFromStatusText("Exited (0) 2 minutes ago")).toBe("none");
  });

  it("splits environment entries at the first equals sign only", () => {
    expect(parseEnv(["A=1", "B=x=y", "C=", "D"])).toEqual([
      { key: "A", value: "1" },
      { key: "B", value: "x=y" },
      { key: "C", value: "" },
      { key: "D", value: "" },
    ]);
  });

  it("turns engine events into container events and ignores other types", () => {
    const event = toContainerEvent({
      Type: "container",
      Action: "health_status: healthy",
      Actor: { ID: "abc", Attributes: { name: "web", image: "nginx", "com.docker.compose.project": "shop" } },
      time: 1_732_550_400,
      timeNano: 1_732_550_400_123_000_000,
    });
    expect(event).toMatchObject({ action: "health_status", health: "healthy", id: "abc", name: "web", stack: "shop", time: "2024-11-25T16:00:00.123Z" });
    expect(toContainerEvent({ Type: "container", Action: "die", Actor: { ID: "x", Attributes: { exitCode: "137" } } })?.exitCode).toBe(137);
    expect(toContainerEvent({ Type: "network", Action: "connect" })).toBeNull();
  });

  it("finds a process's v1 and v2 cgroup paths", () => {
    const paths = parseProcCgroup("12:cpu,cpuacct:/docker/abc\n4:memory:/docker/abc\n0::/system.slice/docker-abc.scope\n");
    expect(paths.v1.get("cpuacct")).toBe("/docker/abc");
    expect(paths.v1.get("memory")).toBe("/docker/abc");
    expect(paths.v2).toBe("/system.slice/docker-abc.scope");
  });
});

describe("stats arithmetic", () => {
  it("computes CPU percent of one core like docker stats, from the delta of two samples", () => {
    const previous = { readMs: 0, totalUsageNs: 1e9, systemUsageNs: 100e9, onlineCpus: 2 };
    const current = { readMs: 5000, totalUsageNs: 1e9 + 2.5e9, systemUsageNs: 110e9, onlineCpus: 2 };
    expect(cpuPercentBetween(previous, current)).toBe(50);
    expect(cpuPercentBetween(null, current)).toBeNull();
    const wallClockOnly = { ...current, systemUsageNs: null };
    expect(cpuPercentBetween({ ...previous, systemUsageNs: null }, wallClockOnly)).toBe(50);
    expect(cpuPercentBetween(current, previous)).toBeNull();
  });

  it("subtracts reclaimable page cache from memory usage for cgroup v1 and v2", () => {
    expect(memoryUsedBytes({ memory_stats: { usage: 1000, stats: { total_inactive_file: 300 } } })).toBe(700);
    expect(memoryUsedBytes({ memory_stats: { usage: 1000, stats: { inactive_file: 100 } } })).toBe(900);
    expect(memoryUsedBytes({ memory_stats: { usage: 1000, stats: { inactive_file: 5000 } } })).toBe(1000);
  });
});

describe("the async queue behind exec output", () => {
  it("asks the producer to pause above the high-water mark and to resume once drained", async () => {
    const pressure: boolean[] = [];
    const queue = new AsyncQueue<number>({ highWaterMark: 4, onPressure: (paused) => pressure.push(paused) });
    for (let i = 0; i < 6; i++) queue.push(i);
    expect(pressure).toEqual([true]);
    queue.end();
    const seen: number[] = [];
    for await (const item of queue) seen.push(item);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
    expect(pressure).toEqual([true, false]);
  });

  it("hands an error to the consumer after the queued items", async () => {
    const queue = new AsyncQueue<string>();
    queue.push("a");
    queue.end(new Error("engine went away"));
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const item of queue) seen.push(item);
      })(),
    ).rejects.toThrow("engine went away");
    expect(seen).toEqual(["a"]);
  });
});
