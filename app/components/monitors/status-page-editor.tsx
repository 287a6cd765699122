// The status page editor on the Monitors page (?page=<id>, decision 063): title, address,
// description, logo (a URL or an uploaded PNG/JPEG/GIF/WebP of at most 256 KB), which monitors are
// shown and in which group, and the page's incident posts and maintenance notices (post, update,
// resolve, delete). Plain forms: everything works before hydration too.
import { Form, Link } from "@remix-run/react";
import { useId } from "react";
import { BUTTON, INPUT } from "~/components/ui/button-classes";
import { ConfirmDialog } from "~/components/ui/confirm-dialog";
import { Field, FormError, SubmitButton } from "~/components/ui/field";
import { Time } from "~/components/ui/time";
import {
  INCIDENT_STATUSES,
  MAINTENANCE_STATUSES,
  type PostDto,
} from "~/validation/monitors";
import type { MonitorFormResult } from "./monitor-form";
import { StatusPageDomain, type DomainState } from "./status-page-domain";

export interface EditablePage {
  id: string;
  slug: string;
  title: string;
  description: string;
  monitorIds: string[];
  groups: { name: string; monitorIds: string[] }[];
  logoUrl: string | null;
  hasLogo: boolean;
  customDomain: string | null;
  domain?: DomainState | null;
}

const LABEL: Record<string, string> = {
  investigating: "Investigating",
  identified: "Identified",
  monitoring: "Monitoring",
  resolved: "Resolved",
  scheduled: "Scheduled",
  in_progress: "In progress",
  completed: "Completed",
};

function TextArea({
  label,
  name,
  defaultValue,
  rows = 3,
  error,
  required = false,
}: {
  label: string;
  name: string;
  defaultValue?: string;
  rows?: number;
  error?: string;
  required?: boolean;
}) {
  const id = useId();
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      <textarea
        id={id}
        name={name}
        defaultValue={defaultValue}
        rows={rows}
        required={required}
        aria-invalid={error ? true : undefined}
        className={INPUT}
      />
      {error ? (
        <p className="text-sm text-red-600 dark:text-red-400">{error}</p>
      ) : null}
    </div>
  );
}

function Select({
  label,
  name,
  options,
  defaultValue,
}: {
  label: string;
  name: string;
  options: [string, string][];
  defaultValue?: string;
}) {
  const id = useId();
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      <select id={id} name={name} defaultValue={defaultValue} className={INPUT}>
        {options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </div>
  );
}

export function StatusPageEditor({
  page,
  posts,
  monitors,
  result,
  pending,
}: {
  page: EditablePage;
  posts: PostDto[];
  monitors: { id: string; name: string }[];
  result: MonitorFormResult;
  pending: string;
}) {
  const failed =
    result && !result.ok && result.intent === "page-update"
      ? result
      : undefined;
  const postFailed =
    result && !result.ok && result.intent === "post-create"
      ? result
      : undefined;
  const updateFailed =
    result &&
    !result.ok &&
    (result.intent === "post-update" || result.intent === "post-delete")
      ? result
      : undefined;
  const fields = failed?.fields ?? {};
  const v = failed?.values;
  const groupOf = new Map(
    page.groups.flatMap((g) => g.monitorIds.map((id) => [id, g.name] as const))
  );
  const shown = new Set(page.monitorIds);
  const pv = postFailed?.values;
  const pf: Record<string, string> = postFailed?.fields ?? {};
  return (
    <section
      id="status-page-editor"
      aria-labelledby="status-page-editor-title"
      className="flex flex-col gap-6 rounded-xl border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900"
    >
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h2 id="status-page-editor-title" className="text-lg font-semibold">
            Edit status page {page.title}
          </h2>
          <a
            href={`/status/${page.slug}`}
            target="_blank"
            rel="noreferrer"
            className="text-sm text-brand-600 hover:underline"
          >
            Open /status/{page.slug}
          </a>
        </div>
        <Link to="/monitors" className="text-sm text-brand-600 hover:underline">
          Close editor
        </Link>
      </div>

      <Form
        method="post"
        encType="multipart/form-data"
        className="flex flex-col gap-4"
        aria-label="Status page settings"
      >
        <input type="hidden" name="intent" value="page-update" />
        <input type="hidden" name="id" value={page.id} />
        <FormError message={failed?.message} />
        <div className="grid gap-4 md:grid-cols-2">
          <Field
            label="Page title"
            name="title"
            defaultValue={v?.title ?? page.title}
            error={fields.title}
          />
          <Field
            label="Address (slug)"
            name="slug"
            defaultValue={v?.slug ?? page.slug}
            error={fields.slug}
            hint="Lowercase letters, digits and dashes: /status/<slug>."
          />
        </div>
        <TextArea
          label="Description"
          name="description"
          defaultValue={v?.description ?? page.description}
          error={fields.description}
          rows={2}
        />
        <StatusPageDomain
          value={v?.customDomain ?? page.customDomain ?? ""}
          error={fields.customDomain}
          state={page.domain}
        />
        <div className="grid gap-4 md:grid-cols-2">
          <Field
            label="Logo URL"
            name="logoUrl"
            type="url"
            required={false}
            defaultValue={v?.logoUrl ?? page.logoUrl ?? ""}
            error={fields.logoUrl}
            hint="An http(s) image address, or upload one instead."
          />
          <div className="flex flex-col gap-1">
            <label htmlFor="status-logo-file" className="text-sm font-medium">
              Upload a logo
            </label>
            <input
              id="status-logo-file"
              name="logoFile"
              type="file"
              accept="image/png,image/jpeg,image/gif,image/webp"
              aria-invalid={fields.logo ? true : undefined}
              aria-describedby="status-logo-hint"
              className="text-sm"
            />
            <p
              id="status-logo-hint"
              className={`text-sm ${
                fields.logo
                  ? "text-red-600 dark:text-red-400"
                  : "text-slate-500"
              }`}
            >
              {fields.logo ??
                (page.hasLogo
                  ? "An uploaded logo is shown; a new file replaces it."
                  : "PNG, JPEG, GIF or WebP, at most 256 KB. An upload wins over the URL.")}
            </p>
            {page.hasLogo ? (
              <label className="flex items-center gap-2 text-sm">
                <input type="checkbox" name="removeLogo" className="h-4 w-4" />{" "}
                Remove the uploaded logo
              </label>
            ) : null}
          </div>
        </div>
        <fieldset className="flex flex-col gap-2">
          <legend className="mb-1 text-sm font-medium">
            Monitors shown, and their group
          </legend>
          {monitors.length === 0 ? (
            <p className="text-sm text-slate-500">Create a monitor first.</p>
          ) : null}
          {monitors.map((m) => (
            <div
              key={m.id}
              className="grid grid-cols-1 items-center gap-2 sm:grid-cols-2"
            >
              <label className="flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  name="monitorIds"
                  value={m.id}
                  defaultChecked={shown.has(m.id)}
                  className="h-4 w-4"
                />
                {m.name}
              </label>
              <input
                name={`group.${m.id}`}
                defaultValue={groupOf.get(m.id) ?? ""}
                placeholder="Group (optional)"
                aria-label={`Group of ${m.name}`}
                className={INPUT}
              />
            </div>
          ))}
          {fields.monitorIds || fields.groups ? (
            <p className="text-sm text-red-600 dark:text-red-400">
              {fields.monitorIds ?? fields.groups}
            </p>
          ) : null}
        </fieldset>
        <div>
          <SubmitButton pending={pending === "page-update"}>
            Save status page
          </SubmitButton>
        </div>
      </Form>

      <div className="flex flex-col gap-3 border-t border-slate-200 pt-4 dark:border-slate-800">
        <h3 className="text-sm font-semibold uppercase tracking-wide text-slate-500">
          Incidents and maintenance
        </h3>
        <FormError message={updateFailed?.message} />
        {posts.length === 0 ? (
          <p className="text-sm text-slate-500">
            Nothing posted. Post an incident while something is wrong, or
            announce planned maintenance below; visitors see it above the
            monitors.
          </p>
        ) : null}
        <ul className="flex flex-col gap-3">
          {posts.map((p) => {
            const statuses =
              p.kind === "incident" ? INCIDENT_STATUSES : MAINTENANCE_STATUSES;
            const closing = p.kind === "incident" ? "resolved" : "completed";
            return (
              <li
                key={p.id}
                data-testid="editor-post"
                className="flex flex-col gap-2 rounded-lg border border-slate-200 p-3 dark:border-slate-800"
              >
                <p className="text-sm">
                  <span className="font-semibold">
                    {p.kind === "incident" ? "Incident" : "Maintenance"}:{" "}
                    {p.title}
                  </span>{" "}
                  <span className="text-slate-500">
                    · {LABEL[p.status] ?? p.status} · <Time iso={p.updatedAt} />
                  </span>
                </p>
                {p.body ? (
                  <p className="whitespace-pre-line text-sm text-slate-600 dark:text-slate-400">
                    {p.body}
                  </p>
                ) : null}
                <Form
                  method="post"
                  className="flex flex-col gap-2 sm:flex-row sm:items-end"
                  aria-label={`Update ${p.title}`}
                >
                  <input type="hidden" name="intent" value="post-update" />
                  <input type="hidden" name="id" value={page.id} />
                  <input type="hidden" name="postId" value={p.id} />
                  <Select
                    label="Status"
                    name="status"
                    defaultValue={p.status}
                    options={statuses.map((s) => [s, LABEL[s] ?? s])}
                  />
                  <div className="flex-1">
                    <TextArea
                      label="Update text"
                      name="body"
                      defaultValue={p.body}
                      rows={1}
                    />
                  </div>
                  <button type="submit" className={BUTTON.secondary}>
                    Post update
                  </button>
                </Form>
                <div className="flex flex-wrap gap-2">
                  {!p.resolvedAt ? (
                    <Form method="post">
                      <input type="hidden" name="intent" value="post-update" />
                      <input type="hidden" name="id" value={page.id} />
                      <input type="hidden" name="postId" value={p.id} />
                      <input type="hidden" name="status" value={closing} />
                      <button type="submit" className={BUTTON.secondary}>
                        {p.kind === "incident" ? "Resolve" : "Mark completed"}
                      </button>
                    </Form>
                  ) : null}
                  <ConfirmDialog
                    trigger="Delete"
                    triggerLabel={`Delete the post ${p.title}`}
                    title={`Delete “${p.title}”?`}
                    confirm="Delete post"
                    fields={{
                      intent: "post-delete",
                      id: page.id,
                      postId: p.id,
                    }}
                  >
                    The post disappears from the public page at once.
                  </ConfirmDialog>
                </div>
              </li>
            );
          })}
        </ul>
        <Form
          method="post"
          className="flex flex-col gap-3 rounded-lg bg-slate-50 p-4 dark:bg-slate-800/50"
          aria-label="New post"
        >
          <input type="hidden" name="intent" value="post-create" />
          <input type="hidden" name="id" value={page.id} />
          <FormError message={postFailed?.message} />
          <div className="grid gap-4 md:grid-cols-2">
            <Select
              label="Kind"
              name="kind"
              defaultValue={pv?.kind ?? "incident"}
              options={[
                ["incident", "Incident"],
                ["maintenance", "Maintenance notice"],
              ]}
            />
            <Select
              label="Status"
              name="status"
              defaultValue={pv?.status ?? "investigating"}
              options={[
                ...INCIDENT_STATUSES.map(
                  (s) => [s, `Incident: ${LABEL[s]}`] as [string, string]
                ),
                ...MAINTENANCE_STATUSES.map(
                  (s) => [s, `Maintenance: ${LABEL[s]}`] as [string, string]
                ),
              ]}
            />
          </div>
          <Field
            label="Title"
            name="title"
            defaultValue={pv?.title ?? ""}
            error={pf.title}
          />
          <TextArea
            label="What visitors should know"
            name="body"
            defaultValue={pv?.body ?? ""}
            error={pf.body}
          />
          <div className="grid gap-4 md:grid-cols-2">
            <Field
              label="Starts (UTC; maintenance)"
              name="startsAt"
              type="datetime-local"
              required={false}
              defaultValue={pv?.startsAt ?? ""}
              error={pf.startsAt}
            />
            <Field
              label="Ends (UTC; optional)"
              name="endsAt"
              type="datetime-local"
              required={false}
              defaultValue={pv?.endsAt ?? ""}
              error={pf.endsAt}
            />
          </div>
          {pf.status || pf.kind ? (
            <p className="text-sm text-red-600 dark:text-red-400">
              {pf.status ?? pf.kind}
            </p>
          ) : null}
          <div>
            <SubmitButton pending={pending === "post-create"}>
              Post to the page
            </SubmitButton>
          </div>
        </Form>
      </div>
    </section>
  );
}
