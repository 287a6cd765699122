// The alerts page's form actions: turn flat form fields into the same inputs the API takes, then
// call the same domain verbs. Keeps the route module thin.
import type { Actor } from "../auth/require.server";
import { ValidationError } from "../errors.server";
import { formFailure } from "../http/form-failure.server";
import { parseWith } from "../http/api.server";
import { CreateChannelSchema, CreateRuleSchema, SECRET_FIELDS, UpdateChannelSchema, UpdateRuleSchema, type ChannelType } from "~/validation/alerts";
import { createChannel, deleteChannel, testChannel, updateChannel } from "./channels.server";
import { acknowledgeAlert } from "./history.server";
import { createRule, deleteRule, updateRule } from "./rules.server";

export type AlertsActionResult =
  | { ok: true; message: string; intent: string; id?: string }
  | { ok: false; message: string; fields: Record<string, string>; intent: string; id?: string; values?: Record<string, unknown> };

const str = (form: FormData, key: string) => {
  const v = form.get(key);
  return typeof v === "string" ? v.trim() : "";
};

/** `config.*` fields of the channel form → the channel's config object. */
export function channelConfigFromForm(type: ChannelType, form: FormData): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const [key, value] of form) {
    if (!key.startsWith("config.") || typeof value !== "string" || value.trim() === "") continue;
    config[key.slice(7)] = value.trim();
  }
  if (type === "smtp") {
    config.to = str(form, "config.to")
      .split(/[,;\s]+/)
      .filter(Boolean);
    if (typeof config.port === "string") config.port = Number(config.port);
  }
  if (type === "webhook" && typeof config.headers === "string") {
    const headers: Record<string, string> = {};
    for (const line of (config.headers as string).split(/\n/)) {
      const i = line.indexOf(":");
      if (i > 0) headers[line.slice(0, i).trim()] = line.slice(i + 1).trim();
    }
    config.headers = headers;
  }
  for (const k of Object.keys(config)) if (!SECRET_FIELDS[type].includes(k) && config[k] === "") delete config[k];
  return config;
}

/** A `datetime-local` value (read as UTC) → ISO; anything unparsable is passed on for zod to name. */
function utcIso(value: string): string {
  if (value === "") return value;
  const t = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(t) ? value : new Date(t).toISOString();
}

/**
 * `maintenance.N.*` fields → the rule's maintenance windows, in N order. A row is either
 * `kind=once` (start, end as datetime-local in UTC) or `kind=weekly` (weekdays, from, to).
 */
export function maintenanceFromForm(form: FormData): unknown[] {
  const rows = new Set<number>();
  for (const key of form.keys()) {
    const m = /^maintenance\.(\d{1,2})\.kind$/.exec(key);
    if (m) rows.add(Number(m[1]));
  }
  return [...rows]
    .sort((a, b) => a - b)
    .map((i) => {
      const at = (k: string) => str(form, `maintenance.${i}.${k}`);
      if (at("kind") === "weekly") {
        return {
          weekdays: form.getAll(`maintenance.${i}.weekdays`).map((v) => Number(v)),
          from: at("from"),
          to: at("to"),
        };
      }
      return { start: utcIso(at("start")), end: utcIso(at("end")) };
    });
}

/** The rule form's fields → the rule object the API takes (create and update alike). */
export function ruleFromForm(form: FormData): Record<string, unknown> {
  const scopeKind = str(form, "scopeKind") || "all";
  const scopeValue = str(form, "scopeValue");
  const scope = scopeKind === "all" ? { all: true } : { [scopeKind]: scopeValue };
  const num = (k: string) => (str(form, k) === "" ? undefined : Number(str(form, k)));
  const rule: Record<string, unknown> = {
    name: str(form, "name"),
    type: str(form, "type"),
    scope,
    threshold: num("threshold") ?? null,
    windowSeconds: num("windowSeconds"),
    cooldownSeconds: num("cooldownSeconds"),
    channelIds: form.getAll("channelIds").filter((v): v is string => typeof v === "string"),
    notifyOnResolve: form.get("notifyOnResolve") === "on",
    maintenance: maintenanceFromForm(form),
  };
  // Older forms (and scripts) without the checkbox keep the default / current value.
  if (form.has("enabledField")) rule.enabled = form.get("enabled") === "on";
  for (const k of Object.keys(rule)) if (rule[k] === undefined) delete rule[k];
  return rule;
}

/** Field errors of the rule form: `scope.stack` is shown at the scope value. */
function ruleFieldErrors(fields: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) out[k.startsWith("scope.") ? "scope" : k] ??= v;
  return out;
}

export async function runAlertsAction(actor: Actor, form: FormData): Promise<AlertsActionResult> {
  const intent = str(form, "intent");
  const id = str(form, "id");
  try {
    switch (intent) {
      case "create-channel": {
        const type = str(form, "type") as ChannelType;
        const input = parseWith(CreateChannelSchema, {
          name: str(form, "name"),
          type,
          config: {},
        });
        const channel = await createChannel(actor, {
          ...input,
          config: channelConfigFromForm(input.type, form),
        });
        return {
          ok: true,
          intent,
          message: `Channel ${channel.name} was added.`,
        };
      }
      case "update-channel": {
        const type = str(form, "type") as ChannelType;
        const input = parseWith(UpdateChannelSchema, { name: str(form, "name"), config: {} });
        // Blank secret fields are left out of the config: the stored value is kept.
        const channel = await updateChannel(actor, id, { ...input, config: channelConfigFromForm(type, form) });
        return { ok: true, intent, id, message: `Channel ${channel.name} was saved.` };
      }
      case "test-channel": {
        const result = await testChannel(actor, id);
        return result.ok ? { ok: true, intent, message: result.message } : { ok: false, intent, message: result.message, fields: {} };
      }
      case "delete-channel":
        await deleteChannel(actor, id);
        return { ok: true, intent, message: "The channel was deleted." };
      case "create-rule": {
        const rule = await createRule(actor, parseWith(CreateRuleSchema, ruleFromForm(form)));
        return { ok: true, intent, message: `Rule ${rule.name} was added.` };
      }
      case "update-rule": {
        const rule = await updateRule(actor, id, parseWith(UpdateRuleSchema, ruleFromForm(form)));
        return {
          ok: true,
          intent,
          id,
          message: `Rule ${rule.name} was saved.`,
        };
      }
      case "toggle-rule": {
        const rule = await updateRule(actor, id, {
          enabled: str(form, "enabled") === "true",
        });
        return {
          ok: true,
          intent,
          message: `Rule ${rule.name} is ${rule.enabled ? "enabled" : "disabled"}.`,
        };
      }
      case "delete-rule":
        await deleteRule(actor, id);
        return { ok: true, intent, message: "The rule was deleted." };
      case "acknowledge":
        await acknowledgeAlert(actor, id);
        return { ok: true, intent, message: "Acknowledged." };
      default:
        throw new ValidationError("Unknown action.");
    }
  } catch (error) {
    const failure = formFailure(error);
    return {
      ...failure,
      fields: intent.endsWith("-rule") ? ruleFieldErrors(failure.fields) : failure.fields,
      intent,
      ...(id ? { id } : {}),
      // A refused rule form is shown again with what was typed (also when posted without JavaScript).
      ...(intent === "create-rule" || intent === "update-rule" ? { values: ruleFromForm(form) } : {}),
    };
  }
}
