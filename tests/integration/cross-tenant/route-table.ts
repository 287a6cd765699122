// The route table the cross-tenant suite must cover, read from the code itself: every file in
// app/routes/ (Remix flat routes) with the HTTP methods it answers, every page-action intent, and
// every event the /ui socket handlers listen to. A new route, method, intent or event appears here
// without anyone touching the suite, and the suite fails until it has a case (cases.ts).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const ROUTES = join(ROOT, "app/routes");
const REALTIME = join(ROOT, "app/server/realtime");

export interface RouteEntry {
  /** e.g. "GET /api/v1/access-lists/:id", "POST /proxies intent=delete", "socket containers:subscribe". */
  key: string;
  file: string;
  kind: "api" | "page" | "socket";
  /** The path has a `:param` (or the entry is a socket event). */
  takesId: boolean;
  /** Answers interactive sessions only (API tokens get 403 `session_required` whatever the id). */
  interactiveOnly?: boolean;
}

/** Remix flat-route file name → URL pattern: `_app.` is a pathless layout, `x_` opts out of nesting, `$id` → `:id`, `$` → `*`. */
export function urlPattern(file: string): string {
  // Remix escapes a literal dot as `[.]` (install[.]sh.ts → /install.sh).
  const base = file.replace(/\.(tsx?|jsx?)$/, "").replaceAll("[.]", "\u0000");
  const segments = base
    .split(".")
    .map((s) => s.replaceAll("\u0000", "."))
    .filter((s) => s !== "_index" && !/^_[a-z]/.test(s))
    .map((s) => s.replace(/_$/, ""))
    .map((s) => (s === "$" ? "*" : s.startsWith("$") ? `:${s.slice(1)}` : s));
  return "/" + segments.join("/");
}

function methodsOf(source: string): string[] {
  const methods: string[] = [];
  if (/export (const|async function|function) loader\b/.test(source)) methods.push("GET");
  if (/export (const|async function|function) action\b/.test(source)) {
    const declared = [...source.matchAll(/requireMethod\(request,\s*([^)]*)\)/g)].flatMap((m) => [...m[1]!.matchAll(/"([A-Z]+)"/g)].map((x) => x[1]!));
    methods.push(...(declared.length ? [...new Set(declared)] : ["POST"]));
  }
  return methods;
}

/** Intents a page action dispatches on, in the route file and in the page-actions module it delegates to. */
function intentsOf(source: string): string[] {
  const sources = [source];
  for (const m of source.matchAll(/from "~\/(server\/[^"]*page-actions\.server)"/g)) sources.push(readFileSync(join(ROOT, "app", `${m[1]}.ts`), "utf8"));
  const intents = new Set<string>();
  for (const s of sources) {
    for (const m of s.matchAll(/intent === "([a-z-]+)"/g)) intents.add(m[1]!);
    // a form schema's intent: z.enum([...])
    for (const m of s.matchAll(/intent: z\.enum\(\[([^\]]*)\]\)/g)) for (const x of m[1]!.matchAll(/"([a-z-]+)"/g)) intents.add(x[1]!);
    // switch (intent) { case "x": … }
    const sw = s.indexOf("switch (intent)");
    if (sw >= 0) for (const m of s.slice(sw).matchAll(/case "([a-z-]+)":/g)) intents.add(m[1]!);
  }
  return [...intents].sort();
}

export function routeTable(): RouteEntry[] {
  const entries: RouteEntry[] = [];
  const files = readdirSync(ROUTES).filter((f) => /\.(tsx?|jsx?)$/.test(f)).sort();
  for (const file of files) {
    const source = readFileSync(join(ROUTES, file), "utf8");
    const base = file.replace(/\.(tsx?|jsx?)$/, "");
    // A layout route (others nest under it) shares its URL with its index child: say which.
    const layout = files.some((f) => f !== file && f.startsWith(`${base}.`) && urlPattern(f) === urlPattern(file)) || (base !== "_index" && /^_[a-z]+$/.test(base));
    const path = urlPattern(file) + (layout ? " (layout)" : "");
    const kind = path.startsWith("/api/") ? "api" : "page";
    const takesId = /[:*]/.test(path);
    const interactiveOnly = source.includes("requireInteractiveSession");
    for (const method of methodsOf(source)) {
      const intents = kind === "page" && method === "POST" ? intentsOf(source) : [];
      if (intents.length === 0) entries.push({ key: `${method} ${path}`, file, kind, takesId, interactiveOnly });
      for (const intent of intents) entries.push({ key: `${method} ${path} intent=${intent}`, file, kind, takesId, interactiveOnly });
    }
  }
  return entries;
}

/** Every event a /ui socket handler listens to (`socket.on("…")`), except the connection's own lifecycle. */
export function socketEvents(): RouteEntry[] {
  const events = new Map<string, string>();
  for (const file of readdirSync(REALTIME).sort()) {
    const source = readFileSync(join(REALTIME, file), "utf8");
    for (const m of source.matchAll(/socket\.on\(\s*"([^"]+)"/g)) if (m[1] !== "disconnect") events.set(m[1]!, file);
  }
  return [...events].map(([event, file]) => ({ key: `socket ${event}`, file, kind: "socket" as const, takesId: true }));
}
