// "Unknown host names": what nginx answers when no proxy host serves the requested name.
import { Form } from "@remix-run/react";
import { useState } from "react";
import { Field, FormError, SubmitButton } from "~/components/ui/field";
import type { DefaultSite, DefaultSiteMode } from "~/validation/proxy-settings";

export interface DefaultSiteFormResult {
  ok: false;
  intent: "default-site";
  message: string;
  fields: Record<string, string>;
}

const CHOICES: { mode: DefaultSiteMode; label: string; hint: string }[] = [
  { mode: "404", label: "404 page", hint: "Answer “404 Not Found”." },
  {
    mode: "redirect",
    label: "Redirect",
    hint: "Send visitors to a URL (302).",
  },
  {
    mode: "close",
    label: "Close the connection",
    hint: "Answer nothing (nginx's 444): scanners learn nothing.",
  },
];

export function DefaultSiteForm({ value, canManage, result, pending }: { value: DefaultSite; canManage: boolean; result?: DefaultSiteFormResult; pending: boolean }) {
  const [mode, setMode] = useState<DefaultSiteMode>(value.mode);
  const f = result?.fields ?? {};
  return (
    <Form method="post" className="flex flex-col gap-4" data-testid="default-site-form" key={JSON.stringify(value)}>
      <input type="hidden" name="intent" value="default-site" />
      <FormError message={result?.message} />
      <fieldset className="flex flex-col gap-2" disabled={!canManage}>
        <legend className="mb-1 text-sm text-slate-600 dark:text-slate-400">When a request names a host that no proxy host serves:</legend>
        {CHOICES.map((c) => (
          <label key={c.mode} className="flex items-start gap-2 text-sm">
            <input type="radio" name="defaultSiteMode" value={c.mode} checked={mode === c.mode} onChange={() => setMode(c.mode)} className="mt-0.5" />
            <span>
              <span className="font-medium">{c.label}</span> <span className="text-slate-500 dark:text-slate-400">{c.hint}</span>
            </span>
          </label>
        ))}
        {f.mode ? <p className="text-sm text-red-600 dark:text-red-400">{f.mode}</p> : null}
      </fieldset>
      {mode === "redirect" ? (
        <Field
          label="Redirect unknown hosts to"
          name="defaultSiteTo"
          type="url"
          defaultValue={value.mode === "redirect" ? value.to : ""}
          error={f.to}
          hint="An http:// or https:// URL, e.g. https://example.com/"
        />
      ) : null}
      {canManage ? (
        <div>
          <SubmitButton pending={pending}>Save and apply</SubmitButton>
        </div>
      ) : null}
    </Form>
  );
}

/** The form's flat fields → the API body (validated by the verb). */
export function defaultSiteBodyFromForm(form: FormData): {
  defaultSite: Record<string, unknown>;
} {
  const mode = String(form.get("defaultSiteMode") ?? "");
  return {
    defaultSite: mode === "redirect" ? { mode, to: String(form.get("defaultSiteTo") ?? "") } : { mode },
  };
}
