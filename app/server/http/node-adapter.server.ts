// node:http → Fetch Request with the body read up front under a size limit. We do not hand the
// raw stream to a Fetch body: a client that keeps sending after we refused it must not be able
// to crash the process, and every body the app accepts (forms, JSON) is small.
import type { IncomingMessage, ServerResponse } from "node:http";

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The request body is larger than ${limit} bytes.`);
  }
}

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limit) return reject(new BodyTooLargeError(limit));
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      req.off("data", onData);
      if (error) {
        req.resume(); // drain and discard the rest
        reject(error);
      } else {
        resolve(Buffer.concat(chunks, size));
      }
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return finish(new BodyTooLargeError(limit));
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => finish());
    req.once("error", (e) => finish(e));
    req.once("aborted", () => finish(new Error("request aborted")));
  });
}

export async function toFetchRequest(req: IncomingMessage, res: ServerResponse, origin: string, limit: number): Promise<Request> {
  const method = req.method ?? "GET";
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    if (name.startsWith(":")) continue;
    headers.append(name, req.rawHeaders[i + 1]!);
  }
  const controller = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  const hasBody = method !== "GET" && method !== "HEAD";
  const body = hasBody ? await readBody(req, limit) : undefined;
  let url: URL;
  try {
    url = new URL(req.url ?? "/", origin);
  } catch {
    url = new URL(req.url?.startsWith("/") ? req.url : "/", "http://localhost"); // a malformed Host header
  }
  return new Request(url, {
    method,
    headers,
    body: body ? new Uint8Array(body) : undefined,
    signal: controller.signal,
  });
}
