// The SSO settings page's form posts: one form for create and edit turned into the API's input
// (the same schemas validate both), delete and test. Field errors come back under the form's
// field names (the API's `config.issuer` is the form's `issuer`).
import type { Actor } from "../auth/require.server";
import { ValidationError } from "../errors.server";
import { formFailure } from "../http/form-failure.server";
import { redirectWithToast } from "../http/page.server";
import { parseWith } from "../http/api.server";
import { CreateSsoProviderSchema, UpdateSsoProviderSchema } from "~/validation/sso";
import { testProvider } from "./ldap-login.server";
import { createProvider, deleteProvider, updateProvider } from "./providers.server";

const OIDC_FIELDS = ["issuer", "clientId", "clientSecret", "scopes", "groupsClaim"] as const;
const LDAP_TEXT = ["url", "caCertPem", "bindDn", "bindPassword", "userBase", "userFilter", "emailAttribute", "nameAttribute", "groupBase", "groupFilter"] as const;

/** Pure: `group = role` lines → [{group, role}]; a line without `=` is reported by its number. */
export function parseGroupRoleMap(text: string): { map: { group: string; role: string }[]; error?: string } {
  const map: { group: string; role: string }[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    const eq = line.lastIndexOf("=");
    if (eq <= 0) return { map, error: `Line ${i + 1}: write “group = role”.` };
    map.push({ group: line.slice(0, eq).trim(), role: line.slice(eq + 1).trim() });
  }
  return { map };
}

function configFrom(type: string, f: FormData, editing: boolean): Record<string, unknown> {
  const get = (k: string) => String(f.get(k) ?? "");
  const config: Record<string, unknown> = {};
  const fields = type === "ldap" ? LDAP_TEXT : OIDC_FIELDS;
  for (const k of fields) {
    const v = get(k);
    // A blank secret when editing keeps the stored one (secrets are write-only).
    if ((k === "clientSecret" || k === "bindPassword") && v === "" && editing) continue;
    if (v !== "" || !editing) config[k] = v;
  }
  if (type === "ldap") {
    config.startTls = f.get("startTls") === "on";
    config.allowPlainLdap = f.get("allowPlainLdap") === "on";
  }
  if (type === "oidc" && config.clientSecret === "") delete config.clientSecret;
  return config;
}

function formFields(error: ValidationError): Record<string, string> {
  return Object.fromEntries(Object.entries(error.fields ?? {}).map(([k, v]) => [k.replace(/^config\./, "").replace(/^groupRoleMap\..*/, "groupRoleMap"), v]));
}

export async function ssoPageAction(actor: Actor, f: FormData): Promise<Response | { ok: false; message: string; fields: Record<string, string> } | { ok: true; id: string; test: { ok: boolean; message: string; testUrl?: string } }> {
  const intent = String(f.get("intent") ?? "");
  const id = String(f.get("id") ?? "");
  try {
    if (intent === "delete") {
      await deleteProvider(actor, id);
      return redirectWithToast("/settings/sso", { kind: "success", message: "Provider deleted. Its users keep their accounts and log in with a password or another provider." });
    }
    if (intent === "test") return { ok: true, id, test: await testProvider(actor, id, {}) };
    if (intent === "create" || intent === "update") {
      const editing = intent === "update";
      const type = String(f.get("type") ?? "oidc");
      const groups = parseGroupRoleMap(String(f.get("groupRoleMap") ?? ""));
      if (groups.error) throw new ValidationError("Some fields are not valid.", { groupRoleMap: groups.error });
      const input = {
        name: String(f.get("name") ?? ""),
        config: configFrom(type, f, editing),
        groupRoleMap: groups.map,
        defaultRole: String(f.get("defaultRole") ?? "viewer"),
        jit: f.get("jit") === "on",
        enforced: f.get("enforced") === "on",
      };
      try {
        if (editing) await updateProvider(actor, id, parseWith(UpdateSsoProviderSchema, input));
        else await createProvider(actor, parseWith(CreateSsoProviderSchema, { ...input, type }));
      } catch (error) {
        if (error instanceof ValidationError) throw new ValidationError(error.message, formFields(error));
        throw error;
      }
      return redirectWithToast("/settings/sso", { kind: "success", message: editing ? "Provider saved." : "Provider added. Use Test to check it." });
    }
    throw new ValidationError("Unknown action.");
  } catch (error) {
    return formFailure(error);
  }
}
