// Create or edit an access list: basic-auth users (passwords write-only: an empty password keeps
// the stored one) and IP allow/deny rules, checked in order, with "satisfy any/all" when both
// are present. Rows are added and removed in place; the server validates with the API's schema
// and its field errors (users.1.password, rules.0.address) land next to the row they name.
import { Form } from "@remix-run/react";
import { useId, useRef, useState } from "react";
import { BUTTON, INPUT } from "~/components/ui/button-classes";
import { Field, FormError, SubmitButton } from "~/components/ui/field";

export interface AccessListFormResult {
  ok: false;
  message: string;
  fields: Record<string, string>;
}

export interface AccessListValue {
  id: string;
  name: string;
  satisfy: "any" | "all";
  users: { username: string }[];
  rules: { action: "allow" | "deny"; address: string }[];
}

function RowError({ id, error }: { id: string; error?: string }) {
  return error ? (
    <p id={id} className="text-sm text-red-600 dark:text-red-400">
      {error}
    </p>
  ) : null;
}

export function AccessListForm({ list, result, pending }: { list: AccessListValue | null; result?: AccessListFormResult; pending: boolean }) {
  const id = useId();
  const f = result?.fields ?? {};
  // Row keys (and the ids built from them) are deterministic for the server render; added rows count on from there.
  const counter = useRef(1000);
  const [added, setAdded] = useState<number | null>(null);
  const nextKey = () => {
    const key = ++counter.current;
    // Keyboard users land in the row they just added.
    setAdded(key);
    return key;
  };
  const [users, setUsers] = useState(() => (list?.users ?? []).map((u, i) => ({ key: i, username: u.username, stored: true })));
  const [rules, setRules] = useState(() => (list?.rules ?? []).map((r, i) => ({ key: 500 + i, ...r })));
  return (
    <Form method="post" className="flex flex-col gap-5" data-testid="access-list-form">
      <input type="hidden" name="intent" value={list ? "update" : "create"} />
      {list ? <input type="hidden" name="id" value={list.id} /> : null}
      <FormError message={result?.message} />
      <Field label="Name" name="name" defaultValue={list?.name} error={f.name} hint="Shown in the proxy host form, e.g. “Office only” or “Staff login”." />

      <fieldset className="flex flex-col gap-3">
        <legend className="mb-1 text-sm font-medium">Basic-auth users</legend>
        {users.length === 0 ? <p className="text-sm text-slate-500 dark:text-slate-400">No users: nobody is asked for a password.</p> : null}
        {users.map((u, i) => (
          <div key={u.key} className="grid gap-2 sm:grid-cols-[1fr_1fr_auto] sm:items-start" data-testid="access-user-row">
            <div className="flex flex-col gap-1">
              <label htmlFor={`${id}-u${u.key}`} className="text-xs font-medium text-slate-600 dark:text-slate-400">
                Username {i + 1}
              </label>
              <input
                id={`${id}-u${u.key}`}
                name="userName"
                defaultValue={u.username}
                autoFocus={added === u.key}
                autoComplete="off"
                spellCheck={false}
                aria-invalid={f[`users.${i}.username`] ? true : undefined}
                aria-describedby={f[`users.${i}.username`] ? `${id}-u${u.key}-e` : undefined}
                className={INPUT}
              />
              <RowError id={`${id}-u${u.key}-e`} error={f[`users.${i}.username`]} />
            </div>
            <div className="flex flex-col gap-1">
              <label htmlFor={`${id}-p${u.key}`} className="text-xs font-medium text-slate-600 dark:text-slate-400">
                Password {i + 1}
              </label>
              <input
                id={`${id}-p${u.key}`}
                name="userPassword"
                type="password"
                autoComplete="new-password"
                placeholder={u.stored ? "unchanged" : "at least 8 characters"}
                aria-invalid={f[`users.${i}.password`] ? true : undefined}
                aria-describedby={f[`users.${i}.password`] ? `${id}-p${u.key}-e` : undefined}
                className={INPUT}
              />
              <RowError id={`${id}-p${u.key}-e`} error={f[`users.${i}.password`]} />
            </div>
            <button type="button" className={`${BUTTON.secondary} sm:mt-5`} onClick={() => setUsers(users.filter((x) => x.key !== u.key))} aria-label={`Remove user ${i + 1}`}>
              Remove
            </button>
          </div>
        ))}
        {f.users ? <RowError id={`${id}-users-e`} error={f.users} /> : null}
        <div>
          <button type="button" className={BUTTON.secondary} onClick={() => setUsers([...users, { key: nextKey(), username: "", stored: false }])}>
            Add user
          </button>
        </div>
        {list ? <p className="text-xs text-slate-500 dark:text-slate-400">Passwords are stored as hashes and never shown. Leave a password empty to keep it.</p> : null}
      </fieldset>

      <fieldset className="flex flex-col gap-3">
        <legend className="mb-1 text-sm font-medium">IP rules</legend>
        {rules.length === 0 ? <p className="text-sm text-slate-500 dark:text-slate-400">No rules: every address may connect.</p> : <p className="text-xs text-slate-500 dark:text-slate-400">Checked from top to bottom; the first match decides. End with “deny all” to allow only the addresses above it.</p>}
        {rules.map((r, i) => (
          <div key={r.key} className="grid gap-2 sm:grid-cols-[8rem_1fr_auto] sm:items-start" data-testid="access-rule-row">
            <div className="flex flex-col gap-1">
              <label htmlFor={`${id}-a${r.key}`} className="text-xs font-medium text-slate-600 dark:text-slate-400">
                Rule {i + 1}
              </label>
              <select id={`${id}-a${r.key}`} name="ruleAction" defaultValue={r.action} autoFocus={added === r.key} className={INPUT}>
                <option value="allow">allow</option>
                <option value="deny">deny</option>
              </select>
            </div>
            <div className="flex flex-col gap-1">
              <label htmlFor={`${id}-r${r.key}`} className="text-xs font-medium text-slate-600 dark:text-slate-400">
                Address {i + 1}
              </label>
              <input
                id={`${id}-r${r.key}`}
                name="ruleAddress"
                defaultValue={r.address}
                placeholder="192.168.1.0/24, 2001:db8::1 or all"
                spellCheck={false}
                aria-invalid={f[`rules.${i}.address`] ? true : undefined}
                aria-describedby={f[`rules.${i}.address`] ? `${id}-r${r.key}-e` : undefined}
                className={INPUT}
              />
              <RowError id={`${id}-r${r.key}-e`} error={f[`rules.${i}.address`]} />
            </div>
            <button type="button" className={`${BUTTON.secondary} sm:mt-5`} onClick={() => setRules(rules.filter((x) => x.key !== r.key))} aria-label={`Remove rule ${i + 1}`}>
              Remove
            </button>
          </div>
        ))}
        <div>
          <button type="button" className={BUTTON.secondary} onClick={() => setRules([...rules, { key: nextKey(), action: "allow", address: "" }])}>
            Add rule
          </button>
        </div>
      </fieldset>

      <fieldset className="flex flex-col gap-2 text-sm">
        <legend className="mb-1 font-medium">With both users and rules</legend>
        <label className="flex items-start gap-2">
          <input type="radio" className="mt-1" name="satisfy" value="all" defaultChecked={(list?.satisfy ?? "all") === "all"} />
          <span>
            Require both: an allowed address <em>and</em> a valid login
          </span>
        </label>
        <label className="flex items-start gap-2">
          <input type="radio" className="mt-1" name="satisfy" value="any" defaultChecked={list?.satisfy === "any"} />
          <span>
            Either is enough: an allowed address <em>or</em> a valid login
          </span>
        </label>
      </fieldset>

      <div>
        <SubmitButton pending={pending}>{list ? "Save and apply" : "Create access list"}</SubmitButton>
      </div>
    </Form>
  );
}

/** Flat form fields → the API body; rows keep their order so field errors point at the right one. */
export function accessListBodyFromForm(form: FormData): Record<string, unknown> {
  const names = form.getAll("userName").map(String);
  const passwords = form.getAll("userPassword").map(String);
  const actions = form.getAll("ruleAction").map(String);
  const addresses = form.getAll("ruleAddress").map(String);
  return {
    name: String(form.get("name") ?? ""),
    satisfy: form.get("satisfy") === "any" ? "any" : "all",
    users: names.map((username, i) => (passwords[i] ? { username, password: passwords[i] } : { username })),
    rules: actions.map((action, i) => ({ action, address: addresses[i] ?? "" })),
  };
}
