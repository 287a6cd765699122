// An interactive `docker exec` over the engine's hijacked HTTP connection.
import type { Duplex } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { AsyncQueue } from "../async-queue";
import type { ExecOptions, ExecOutput, ExecSession, LogStream } from "../types";
import type { DockerClient } from "./docker-client";
import { FrameDemuxer } from "./log-decoder";

const DEFAULT_COLS = 80;
const DEFAULT_ROWS = 24;

/** `containerId` must be the inspected full id of a running container. */
export async function openExecSession(
  client: DockerClient,
  containerId: string,
  options: ExecOptions,
  signal?: AbortSignal,
): Promise<ExecSession> {
  const tty = options.tty ?? false;
  const env = tty && !(options.env ?? []).some((e) => e.startsWith("TERM=")) ? [...(options.env ?? []), "TERM=xterm-256color"] : options.env;
  const execId = await client.createExec(containerId, {
    cmd: options.cmd,
    tty,
    env,
    user: options.user,
    workingDir: options.workingDir,
  });
  const socket = await client.startExec(containerId, execId, tty);

  const output = new AsyncQueue<ExecOutput>({
    highWaterMark: 512,
    onPressure: (paused) => (paused ? socket.pause() : socket.resume()),
    onClose: () => socket.destroy(),
  });
  const decoders: Record<LogStream, StringDecoder> = { stdout: new StringDecoder("utf8"), stderr: new StringDecoder("utf8") };
  const emit = (stream: LogStream, bytes: Buffer) => {
    const data = decoders[stream].write(bytes);
    if (data) output.push({ stream, data });
  };
  const demuxer = tty ? null : new FrameDemuxer();
  socket.on("data", (chunk: Buffer) => {
    if (!demuxer) return emit("stdout", chunk);
    for (const frame of demuxer.push(chunk)) emit(frame.stream, frame.payload);
  });

  const closed = new Promise<void>((resolve) => {
    let done = false;
    const finish = (error?: unknown) => {
      if (done) return;
      done = true;
      for (const stream of ["stdout", "stderr"] as const) {
        const rest = decoders[stream].end();
        if (rest) output.push({ stream, data: rest });
      }
      output.end(error && !signal?.aborted ? client.toAgentError(error, containerId) : undefined);
      resolve();
    };
    socket.once("end", () => finish());
    socket.once("close", () => finish());
    socket.once("error", (error) => finish(error));
  });

  const onAbort = () => socket.destroy();
  signal?.addEventListener("abort", onAbort, { once: true });
  if (signal?.aborted) socket.destroy();

  const exit = closed.then(async () => {
    signal?.removeEventListener("abort", onAbort);
    return { exitCode: await exitCodeOf(client, containerId, execId) };
  });
  // The caller may only care about output; an unobserved failure must not crash the process.
  exit.catch(() => undefined);

  const session: ExecSession = {
    id: execId,
    containerId,
    output,
    exit,
    write: (data) => writeTo(socket, data),
    resize: (cols, rows) => client.resizeExec(containerId, execId, clampSize(cols), clampSize(rows)),
    end: () => new Promise<void>((resolve) => socket.end(() => resolve())),
  };

  if (tty) {
    // API 1.41 has no ConsoleSize on create: size the TTY right after start. A
    // process that already exited cannot be resized, which is not an error here.
    await session.resize(options.cols ?? DEFAULT_COLS, options.rows ?? DEFAULT_ROWS).catch(() => undefined);
  }
  return session;
}

function writeTo(socket: Duplex, data: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.destroyed || !socket.writable) return reject(new Error("The exec session is closed"));
    socket.write(data, (error) => (error ? reject(error) : resolve()));
  });
}

function clampSize(value: number): number {
  return Math.max(1, Math.min(1000, Math.floor(value)));
}

/** The engine marks the exec finished a moment after the stream closes. */
async function exitCodeOf(client: DockerClient, containerId: string, execId: string): Promise<number | null> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const inspected = await client.inspectExec(containerId, execId).catch(() => null);
    if (!inspected) return null;
    if (!inspected.Running) return inspected.ExitCode ?? null;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return null;
}
