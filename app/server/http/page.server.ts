// Helpers for page loaders/actions: safe redirects, form parsing with field errors, flash toasts,
// and turning domain errors into responses the error boundary can render.
import { redirect, type AppLoadContext, type LoaderFunctionArgs } from "@remix-run/node";
import type { Permission } from "~/permissions";
import { requireUserWithPermission } from "../auth/require.server";
import { parse, serialize } from "cookie";
import type { z } from "zod";
import { toAppError, type FieldErrors } from "../errors.server";
import { zodFieldErrors } from "./api.server";
import { hasFeature, type Feature } from "~/features";
import { edition } from "../edition.server";
import { refuseWritesOfSuspendedOrg } from "../platform/suspension.server";

export { safeRedirectPath } from "./safe-redirect";

export type FormResult<T> = { ok: true; data: T } | { ok: false; fields: FieldErrors; values: Record<string, string> };

/** Reads a form body; a malformed one yields an empty form (and so field errors), never a 500. */
export async function readForm(request: Request): Promise<FormData> {
  try {
    return await request.formData();
  } catch {
    return new FormData();
  }
}

export async function parseForm<S extends z.ZodType>(source: Request | FormData, schema: S): Promise<FormResult<z.infer<S>>> {
  const form = source instanceof FormData ? source : await readForm(source);
  const raw: Record<string, string> = {};
  for (const [k, v] of form) if (typeof v === "string") raw[k] = v;
  const result = schema.safeParse(raw);
  if (!result.success) {
    // Never echo a secret back into the page.
    const values = Object.fromEntries(Object.entries(raw).filter(([k]) => !/password|secret|code|token/i.test(k)));
    return { ok: false, fields: zodFieldErrors(result.error), values };
  }
  return { ok: true, data: result.data };
}

const TOAST_COOKIE = "infrapilot_toast";
export type Toast = { kind: "success" | "error" | "info"; message: string };

export function toastCookie(toast: Toast): string {
  return serialize(TOAST_COOKIE, JSON.stringify(toast), { path: "/", httpOnly: true, sameSite: "lax", maxAge: 60 });
}

/** Reads and clears the one-shot toast set by the previous action. */
export function takeToast(request: Request, context: AppLoadContext): Toast | null {
  const value = parse(request.headers.get("cookie") ?? "")[TOAST_COOKIE];
  if (!value) return null;
  context.responseHeaders.append("Set-Cookie", serialize(TOAST_COOKIE, "", { path: "/", maxAge: 0 }));
  try {
    const t = JSON.parse(value) as Toast;
    return typeof t.message === "string" ? { kind: t.kind ?? "info", message: t.message.slice(0, 300) } : null;
  } catch {
    return null;
  }
}

export function redirectWithToast(to: string, toast: Toast, headers: HeadersInit = {}) {
  const h = new Headers(headers);
  h.append("Set-Cookie", toastCookie(toast));
  return redirect(to, { headers: h });
}

/** Maps a domain error to a Response for the page's error boundary, rethrowing unknown errors. */
export function pageError(error: unknown): never {
  if (error instanceof Response) throw error;
  const known = toAppError(error);
  if (known) throw new Response(known.message, { status: known.status, statusText: known.code });
  throw error;
}

/** SaaS-only pages do not exist in Community: a plain 404, like any unknown page. */
export function requirePageFeature(feature: Feature): void {
  if (!hasFeature(edition(), feature)) throw new Response("Not found", { status: 404 });
}

/**
 * Wraps a page loader or action: typed domain errors (and "database unavailable") become HTTP
 * responses the error boundary renders with the right status, instead of an anonymous 500.
 */
export function page<A, R>(handler: (args: A) => Promise<R>): (args: A) => Promise<R> {
  return async (args: A) => {
    try {
      const { request, context } = args as { request?: Request; context?: AppLoadContext };
      if (request && context) await refuseWritesOfSuspendedOrg(request, context);
      return await handler(args);
    } catch (error) {
      return pageError(error);
    }
  };
}

/** The loader of an area that is not built yet: it still exists only in its editions and for permitted roles. */
export function placeholderLoader(feature: Feature, permission: Permission) {
  return page(async ({ request, context }: LoaderFunctionArgs) => {
    requirePageFeature(feature);
    await requireUserWithPermission(request, context, permission);
    return null;
  });
}
