// JSON API plumbing: one error shape, one mapping from typed errors to statuses, body parsing
// with zod field errors. API route modules stay one-liners around domain verbs.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import type { z } from "zod";
import { toAppError, ThrottledError, ValidationError, type FieldErrors } from "../errors.server";
import { logger } from "../logger.server";
import { refuseWritesOfSuspendedOrg } from "../platform/suspension.server";

export function json(data: unknown, init: number | ResponseInit = 200): Response {
  const options = typeof init === "number" ? { status: init } : init;
  const headers = new Headers(options.headers);
  headers.set("Content-Type", "application/json; charset=utf-8");
  headers.set("Cache-Control", "no-store");
  return new Response(status204(options.status) ? null : JSON.stringify(data), { ...options, headers });
}

function status204(status?: number) {
  return status === 204;
}

export function noContent(headers?: HeadersInit): Response {
  return new Response(null, { status: 204, headers });
}

export function errorResponse(error: unknown, requestId: string): Response {
  if (error instanceof Response) return error;
  const known = toAppError(error);
  if (known) {
    const headers: Record<string, string> = {};
    if (known instanceof ThrottledError) headers["Retry-After"] = String(known.retryAfterSeconds);
    return json(
      { error: { ...known.details, code: known.code, message: known.message, ...(known.fields ? { fields: known.fields } : {}) } },
      { status: known.status, headers },
    );
  }
  logger.error("unhandled API error", { requestId, error });
  return json(
    { error: { code: "internal", message: `Something went wrong. Quote request id ${requestId} when reporting it.`, requestId } },
    500,
  );
}

type Args = LoaderFunctionArgs | ActionFunctionArgs;

/** Wraps an API loader/action so every failure becomes the contract's JSON error. */
export function api(handler: (args: Args) => Promise<Response>) {
  return async (args: Args): Promise<Response> => {
    try {
      await refuseWritesOfSuspendedOrg(args.request, args.context);
      return await handler(args);
    } catch (error) {
      return errorResponse(error, args.context.requestId);
    }
  };
}

export function zodFieldErrors(error: z.ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join(".") : "_";
    fields[key] ??= issue.message;
  }
  return fields;
}

export function parseWith<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError("Some fields are not valid.", zodFieldErrors(result.error));
  return result.data;
}

/** Parses a JSON body against a schema; malformed JSON and invalid fields are 400s. */
export async function readJson<S extends z.ZodType>(request: Request, schema: S): Promise<z.infer<S>> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.includes("application/json")) {
    throw new ValidationError("Send the body as JSON (Content-Type: application/json).");
  }
  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch {
    throw new ValidationError("The body is not valid JSON.");
  }
  return parseWith(schema, body);
}

export function requireMethod(request: Request, ...methods: string[]): void {
  if (!methods.includes(request.method)) {
    throw new Response(JSON.stringify({ error: { code: "method_not_allowed", message: `Use ${methods.join(" or ")}.` } }), {
      status: 405,
      headers: { Allow: methods.join(", "), "Content-Type": "application/json" },
    });
  }
}

/** Query-string parameters (empty ones dropped) validated against a schema. */
export function readQuery<S extends z.ZodType>(request: Request, schema: S): z.infer<S> {
  const params = Object.fromEntries([...new URL(request.url).searchParams].filter(([, v]) => v !== ""));
  return parseWith(schema, params);
}
