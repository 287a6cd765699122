// Decodes the byte stream of `GET /containers/{id}/logs` into log entries. Pure.
//
// Without a TTY the engine multiplexes stdout and stderr into frames: an 8-byte
// header [stream, 0, 0, 0, size(uint32 BE)] then `size` bytes. Chunks from the
// socket cut frames (and even headers) anywhere, so bytes are buffered until a
// frame is whole. With a TTY there is no framing: one raw stream, CRLF endings.
//
// For logs each frame is one message of the logging driver: one line, or part
// of a long line (over 16 KiB) that continues in the next frame without a
// newline. With timestamps, every message starts with an RFC 3339 time and a
// space, so parts are joined only after their own timestamp is removed.
import type { LogEntry, LogStream } from "../types";

export interface Frame {
  stream: LogStream;
  payload: Buffer;
}

/** Reassembles Docker's stdcopy frames from arbitrarily cut chunks. */
export class FrameDemuxer {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  push(chunk: Uint8Array): Frame[] {
    if (chunk.length === 0) return [];
    this.pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.pendingBytes += chunk.length;
    const frames: Frame[] = [];
    while (this.pendingBytes >= 8) {
      const header = this.peek(8);
      const size = header.readUInt32BE(4);
      if (this.pendingBytes < 8 + size) break;
      const data = this.take(8 + size);
      // 0 stdin (never sent), 1 stdout, 2 stderr, 3 engine error text.
      frames.push({ stream: header[0] === 1 || header[0] === 0 ? "stdout" : "stderr", payload: data.subarray(8) });
    }
    return frames;
  }

  /** Bytes of an incomplete frame left when the stream ended. */
  get leftoverBytes(): number {
    return this.pendingBytes;
  }

  private peek(n: number): Buffer {
    if (this.pending[0].length < n) this.pending = [Buffer.concat(this.pending)];
    return this.pending[0].subarray(0, n);
  }

  private take(n: number): Buffer {
    const all = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    const taken = all.subarray(0, n);
    const rest = all.subarray(n);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingBytes = rest.length;
    return taken;
  }
}

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2}) /;

/** Splits "2024-01-02T03:04:05.123456789Z message" into an ISO time (ms) and the rest. */
export function splitTimestamp(line: string): { time: string | null; message: string } {
  const match = TIMESTAMP.exec(line);
  if (!match) return { time: null, message: line };
  const millis = (match[2] ?? "").padEnd(3, "0").slice(0, 3);
  const date = new Date(`${match[1]}.${millis}${match[3]}`);
  if (Number.isNaN(date.getTime())) return { time: null, message: line };
  return { time: date.toISOString(), message: line.slice(match[0].length) };
}

function cutTimestamp(bytes: Buffer): { time: string | null; body: Buffer } {
  // A timestamp is ASCII and at most ~36 bytes: decode only the head.
  const head = bytes.subarray(0, 40).toString("latin1");
  const split = splitTimestamp(head);
  if (split.time === null) return { time: null, body: bytes };
  return { time: split.time, body: bytes.subarray(head.length - split.message.length) };
}

interface PartialLine {
  time: string | null;
  parts: Buffer[];
}

export interface LogDecoderOptions {
  tty: boolean;
  timestamps: boolean;
}

export class LogDecoder {
  private readonly demuxer = new FrameDemuxer();
  private readonly partial: Record<LogStream, PartialLine | null> = { stdout: null, stderr: null };

  constructor(private readonly options: LogDecoderOptions) {}

  push(chunk: Uint8Array): LogEntry[] {
    const entries: LogEntry[] = [];
    if (this.options.tty) {
      this.append("stdout", Buffer.from(chunk), entries, true);
    } else {
      for (const frame of this.demuxer.push(chunk)) this.append(frame.stream, frame.payload, entries, false);
    }
    return entries;
  }

  /** Flushes lines that never got their newline (the stream ended). */
  end(): LogEntry[] {
    const entries: LogEntry[] = [];
    for (const stream of ["stdout", "stderr"] as const) {
      const line = this.partial[stream];
      if (line) entries.push(this.entry(stream, line.time, Buffer.concat(line.parts)));
      this.partial[stream] = null;
    }
    return entries;
  }

  private append(stream: LogStream, payload: Buffer, out: LogEntry[], raw: boolean): void {
    let start = 0;
    while (start < payload.length) {
      const newline = payload.indexOf(0x0a, start);
      const piece = payload.subarray(start, newline === -1 ? payload.length : newline);
      this.addPiece(stream, piece, raw);
      if (newline === -1) break;
      const line = this.partial[stream]!;
      this.partial[stream] = null;
      out.push(this.entry(stream, line.time, Buffer.concat(line.parts)));
      start = newline + 1;
    }
  }

  /**
   * A piece of a line. In framed logs every piece is a whole message of the
   * driver and begins with its own timestamp; in a raw TTY stream pieces are
   * cut anywhere, so the timestamp is read once the line is complete (entry()).
   */
  private addPiece(stream: LogStream, piece: Buffer, raw: boolean): void {
    let time: string | null = null;
    let body = piece;
    if (!raw && this.options.timestamps) ({ time, body } = cutTimestamp(piece));
    let line = this.partial[stream];
    if (line === null) {
      line = { time, parts: [] };
      this.partial[stream] = line;
    }
    line.parts.push(body);
  }

  private entry(stream: LogStream, time: string | null, bytes: Buffer): LogEntry {
    if (this.options.tty && this.options.timestamps) ({ time, body: bytes } = cutTimestamp(bytes));
    let message = bytes.toString("utf8");
    if (message.endsWith("\r")) message = message.slice(0, -1);
    return { time, stream, message };
  }
}
