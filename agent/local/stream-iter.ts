// Node readable streams from the engine → async iteration that ends quietly
// when the caller's AbortSignal aborts and releases the connection however the
// consumer stops. Iterating with for-await pauses the socket while the consumer
// is busy, which is the back-pressure we want for log and event streams.
import type { Readable } from "node:stream";

export async function* iterateChunks(
  stream: NodeJS.ReadableStream,
  signal: AbortSignal | undefined,
  mapError: (error: unknown) => Error,
): AsyncGenerator<Buffer> {
  const readable = stream as Readable;
  const onAbort = () => readable.destroy();
  if (signal?.aborted) {
    readable.destroy();
    return;
  }
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    for await (const chunk of readable) {
      yield typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    }
  } catch (error) {
    if (signal?.aborted) return;
    throw mapError(error);
  } finally {
    signal?.removeEventListener("abort", onAbort);
    readable.destroy();
  }
}

/** Newline-delimited JSON (the events endpoint) → parsed documents. */
export async function* iterateJsonLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<unknown> {
  let pending = "";
  const decoder = new TextDecoder();
  for await (const chunk of chunks) {
    pending += decoder.decode(chunk, { stream: true });
    let newline = pending.indexOf("\n");
    while (newline !== -1) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line) yield JSON.parse(line);
      newline = pending.indexOf("\n");
    }
  }
  const rest = pending.trim();
  if (rest) yield JSON.parse(rest);
}
