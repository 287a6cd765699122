// The Monitors page's form actions: flat form fields → the API's monitor object, then the same
// domain verbs the API calls (so the page and the API cannot disagree). Errors come back keyed by
// the schema's paths (`config.url`, `intervalSeconds`), which are the form's field names.
import type { Actor } from "../auth/require.server";
import { maintenanceFromForm } from "../alerts/page-actions.server";
import { formFailure } from "../http/form-failure.server";
import { parseWith } from "../http/api.server";
import { CreateMonitorSchema, CreatePostSchema, CreateStatusPageSchema, UpdateMonitorSchema, UpdatePostSchema, UpdateStatusPageSchema } from "~/validation/monitors";
import { checkMonitorNow, createMonitor, deleteMonitor, updateMonitor } from "./monitors.server";
import { createPost, createStatusPage, deletePost, deleteStatusPage, updatePost, updateStatusPage } from "./status-pages.server";

export type MonitorsActionResult =
  | { ok: true; message: string; intent: string; redirectTo?: string }
  | { ok: false; message: string; fields: Record<string, string>; intent: string; id?: string; values?: Record<string, string> };

const str = (form: FormData, key: string) => {
  const v = form.get(key);
  return typeof v === "string" ? v.trim() : "";
};

const num = (value: string): number | string => (value !== "" && Number.isFinite(Number(value)) ? Number(value) : value);

/** The form's fields as the API's monitor object (strings that are not numbers are left for zod to name). */
export function monitorBodyFromForm(form: FormData): Record<string, unknown> {
  const type = str(form, "type");
  const config: Record<string, unknown> = {};
  if (type === "http") {
    config.url = str(form, "config.url");
    config.method = str(form, "config.method") || "GET";
    const statuses = str(form, "config.expectedStatus");
    if (statuses) config.expectedStatus = statuses.split(/[\s,]+/).filter(Boolean).map(num);
    config.keyword = str(form, "config.keyword") || null;
    config.keywordAbsent = form.get("config.keywordAbsent") === "on";
    config.jsonPath = str(form, "config.jsonPath") || null;
    config.jsonExpected = str(form, "config.jsonExpected") || null;
    if (str(form, "config.timeoutMs")) config.timeoutMs = num(str(form, "config.timeoutMs"));
    config.followRedirects = form.get("config.followRedirects") === "on";
    config.certExpiryDays = str(form, "config.certExpiryDays") ? num(str(form, "config.certExpiryDays")) : null;
  } else if (type === "tcp") {
    config.host = str(form, "config.host");
    config.port = num(str(form, "config.port"));
  } else if (type === "ping") {
    config.host = str(form, "config.host");
    if (str(form, "config.port")) config.port = num(str(form, "config.port"));
  } else if (type === "dns") {
    config.name = str(form, "config.name");
    config.recordType = str(form, "config.recordType") || "A";
    config.expected = str(form, "config.expected") || null;
    config.server = str(form, "config.server") || null;
  } else if (type === "container") {
    config.agentId = str(form, "config.agentId");
    config.containerName = str(form, "config.containerName");
  }
  return {
    name: str(form, "name"),
    type,
    config,
    intervalSeconds: num(str(form, "intervalSeconds")),
    retries: num(str(form, "retries") || "0"),
    channelIds: form.getAll("channelIds").filter((v): v is string => typeof v === "string" && v !== ""),
    enabled: form.get("enabled") === "on",
    resendEvery: num(str(form, "resendEvery") || "0"),
    // The form always shows the windows, so an update replaces them with what it sent.
    maintenance: maintenanceFromForm(form),
    // "Check from" is sent for network checks only (the select is not rendered for the others).
    ...(form.has("agentId") ? { agentId: str(form, "agentId") || null } : {}),
  };
}

/** A datetime-local value (UTC, no zone) → ISO; empty → null; anything else is left for zod to name. */
const utc = (v: string): string | null => (v === "" ? null : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(v) ? `${v}:00Z` : v);

/**
 * The status page editor's fields → the API's page object: each monitor ticked is shown, in the
 * group named beside it (`group.<monitorId>`; groups in the order they first appear); an uploaded
 * file replaces the logo, "remove the logo" clears it.
 */
export async function statusPageBodyFromForm(form: FormData): Promise<Record<string, unknown>> {
  const ids = form.getAll("monitorIds").filter((v): v is string => typeof v === "string" && v !== "");
  const groups: { name: string; monitorIds: string[] }[] = [];
  for (const id of ids) {
    const name = str(form, `group.${id}`);
    let g = groups.find((x) => x.name === name);
    if (!g) groups.push((g = { name, monitorIds: [] }));
    g.monitorIds.push(id);
  }
  const body: Record<string, unknown> = { slug: str(form, "slug"), title: str(form, "title"), description: str(form, "description"), logoUrl: str(form, "logoUrl") || null, groups, monitorIds: ids };
  // Only the editor has the field; the create form leaves the domain alone.
  if (form.has("customDomain")) body.customDomain = str(form, "customDomain");
  const file = form.get("logoFile");
  if (file && typeof file !== "string" && file.size > 0) {
    if (file.size > 256 * 1024) body.logo = "x".repeat(400_001); // refused by the schema with its message
    else body.logo = `data:${file.type || "application/octet-stream"};base64,${Buffer.from(await file.arrayBuffer()).toString("base64")}`;
  } else if (form.get("removeLogo") === "on") body.logo = null;
  return body;
}

function echo(form: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [k, v] of form) if (typeof v === "string" && k !== "intent" && k !== "logoFile") values[k] = (k === "channelIds" || k === "monitorIds" || k.endsWith(".weekdays")) && values[k] ? `${values[k]},${v}` : v;
  return values;
}

export async function runMonitorsAction(actor: Actor, form: FormData): Promise<MonitorsActionResult> {
  const intent = str(form, "intent");
  const id = str(form, "id");
  try {
    if (intent === "create") {
      const m = await createMonitor(actor, parseWith(CreateMonitorSchema, monitorBodyFromForm(form)));
      return { ok: true, intent, message: `${m.name} is monitored now; its first check runs within ${m.intervalSeconds} s.` };
    }
    if (intent === "update") {
      const { type: _type, ...body } = monitorBodyFromForm(form);
      void _type;
      const m = await updateMonitor(actor, id, parseWith(UpdateMonitorSchema, body));
      return { ok: true, intent, message: `${m.name} was saved.` };
    }
    if (intent === "delete") {
      await deleteMonitor(actor, id);
      return { ok: true, intent, message: "The monitor and its history were removed." };
    }
    if (intent === "check") {
      const m = await checkMonitorNow(actor, id);
      return { ok: true, intent, message: `${m.name} is ${m.status}${m.message ? `: ${m.message}` : ""}.` };
    }
    if (intent === "page-create") {
      const body = { slug: str(form, "slug"), title: str(form, "title"), description: str(form, "description"), monitorIds: form.getAll("monitorIds").filter((v): v is string => typeof v === "string" && v !== "") };
      const created = await createStatusPage(actor, parseWith(CreateStatusPageSchema, body));
      return { ok: true, intent, message: `The status page is public at /status/${created.slug}.` };
    }
    if (intent === "page-update") {
      const page = await updateStatusPage(actor, id, parseWith(UpdateStatusPageSchema, await statusPageBodyFromForm(form)));
      return { ok: true, intent, message: `The status page /status/${page.slug} was saved.`, redirectTo: `/monitors?page=${page.id}#status-page-editor` };
    }
    if (intent === "post-create") {
      const body = { kind: str(form, "kind"), title: str(form, "title"), body: str(form, "body"), status: str(form, "status"), startsAt: utc(str(form, "startsAt")), endsAt: utc(str(form, "endsAt")) };
      const post = await createPost(actor, id, parseWith(CreatePostSchema, body));
      return { ok: true, intent, message: `Posted: ${post.title}.`, redirectTo: `/monitors?page=${id}#status-page-editor` };
    }
    if (intent === "post-update") {
      const body: Record<string, unknown> = { status: str(form, "status") };
      if (form.has("body")) body.body = str(form, "body");
      const post = await updatePost(actor, id, str(form, "postId"), parseWith(UpdatePostSchema, body));
      return { ok: true, intent, message: `${post.title}: ${post.status.replace("_", " ")}.`, redirectTo: `/monitors?page=${id}#status-page-editor` };
    }
    if (intent === "post-delete") {
      await deletePost(actor, id, str(form, "postId"));
      return { ok: true, intent, message: "The post was removed from the page.", redirectTo: `/monitors?page=${id}#status-page-editor` };
    }
    if (intent === "page-delete") {
      await deleteStatusPage(actor, id);
      return { ok: true, intent, message: "The status page was removed; its address answers 404 now." };
    }
    return { ok: false, intent, message: "Unknown action.", fields: {} };
  } catch (error) {
    return { ...formFailure(error), intent, id, values: echo(form) };
  }
}
