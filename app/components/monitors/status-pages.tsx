// Status pages on the Monitors page: each page's public link, delete with a confirmation, and a
// small form to publish a new one with a chosen set of monitors.
import { Form, Link } from "@remix-run/react";
import { useId } from "react";
import { ConfirmDialog } from "~/components/ui/confirm-dialog";
import { Field, FormError, SubmitButton } from "~/components/ui/field";
import type { MonitorFormResult } from "./monitor-form";

export interface StatusPageItem {
  id: string;
  slug: string;
  title: string;
  monitorIds: string[];
}

export function StatusPages({
  pages,
  monitors,
  canManage,
  result,
  pending,
}: {
  pages: StatusPageItem[];
  monitors: { id: string; name: string }[];
  canManage: boolean;
  result: MonitorFormResult;
  pending: boolean;
}) {
  const failed =
    result && !result.ok && result.intent === "page-create"
      ? result
      : undefined;
  const fields = failed?.fields ?? {};
  const v = failed?.values;
  const chosen = new Set((v?.monitorIds ?? "").split(",").filter(Boolean));
  const descriptionId = useId();
  return (
    <div className="flex flex-col gap-4">
      {pages.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">
          No status pages yet. A status page shows the monitors you pick — name,
          status and uptime only — to anyone, without a login.
        </p>
      ) : (
        <ul className="divide-y divide-slate-200 dark:divide-slate-800">
          {pages.map((p) => (
            <li
              key={p.id}
              data-testid="status-page-row"
              className="flex flex-col gap-2 py-3 sm:flex-row sm:items-center sm:justify-between"
            >
              <div>
                <p className="font-medium">{p.title}</p>
                <a
                  href={`/status/${p.slug}`}
                  className="text-sm text-brand-600 dark:text-brand-300 hover:underline"
                  target="_blank"
                  rel="noreferrer"
                >
                  /status/{p.slug}
                </a>
                <span className="text-xs text-slate-500 dark:text-slate-400">
                  {" "}
                  · {p.monitorIds.length} monitor(s)
                </span>
              </div>
              {canManage ? (
                <div className="flex items-center gap-2">
                  <Link
                    to={`/monitors?page=${p.id}#status-page-editor`}
                    className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
                    aria-label={`Edit the status page ${p.slug}`}
                  >
                    Edit
                  </Link>
                  <ConfirmDialog
                    trigger="Delete"
                    triggerLabel={`Delete the status page ${p.slug}`}
                    title={`Delete the status page ${p.title}?`}
                    confirm="Delete status page"
                    fields={{ intent: "page-delete", id: p.id }}
                  >
                    /status/{p.slug} stops answering at once. The monitors
                    themselves stay.
                  </ConfirmDialog>
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {canManage ? (
        <Form
          method="post"
          className="flex flex-col gap-3 border-t border-slate-200 pt-4 dark:border-slate-800"
          aria-label="New status page"
        >
          <input type="hidden" name="intent" value="page-create" />
          <FormError message={failed?.message} />
          <div className="grid gap-4 md:grid-cols-2">
            <Field
              label="Page title"
              name="title"
              defaultValue={v?.title ?? ""}
              error={fields.title}
            />
            <Field
              label="Address (slug)"
              name="slug"
              defaultValue={v?.slug ?? ""}
              error={fields.slug}
              hint="Lowercase letters, digits and dashes: /status/<slug>."
            />
          </div>
          <div className="flex flex-col gap-1">
            <label htmlFor={descriptionId} className="text-sm font-medium">
              Description
            </label>
            <textarea
              id={descriptionId}
              name="description"
              defaultValue={v?.description ?? ""}
              rows={2}
              className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm dark:border-slate-700 dark:bg-slate-900"
            />
          </div>
          <fieldset className="flex flex-col gap-1">
            <legend className="mb-1 text-sm font-medium">Monitors shown</legend>
            {monitors.length === 0 ? (
              <p className="text-sm text-slate-500 dark:text-slate-400">Create a monitor first.</p>
            ) : null}
            {monitors.map((m) => (
              <label key={m.id} className="flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  name="monitorIds"
                  value={m.id}
                  defaultChecked={chosen.has(m.id)}
                  className="h-4 w-4"
                />
                {m.name}
              </label>
            ))}
            {fields.monitorIds ? (
              <p className="text-sm text-red-600 dark:text-red-400">
                {fields.monitorIds}
              </p>
            ) : null}
          </fieldset>
          <div>
            <SubmitButton pending={pending}>Publish status page</SubmitButton>
          </div>
        </Form>
      ) : null}
    </div>
  );
}
