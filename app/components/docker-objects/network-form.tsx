// Create a user bridge network. The page action validates with the same schema as the API
// (name, IPv4 subnet as its network address, gateway inside it) and answers field errors; on
// success the form clears itself and the page reloads the list.
import { useFetcher } from "@remix-run/react";
import { useEffect, useId, useRef, useState } from "react";
import { BUTTON } from "~/components/ui/button-classes";
import { Field, FormError } from "~/components/ui/field";

export function NetworkForm({ agentId }: { agentId: string }) {
  const fetcher = useFetcher<{ ok?: boolean; message?: string; fields?: Record<string, string> }>();
  const form = useRef<HTMLFormElement>(null);
  const submitted = useRef<{ before: unknown } | null>(null);
  // A success redirects, which leaves fetcher.data as it was (an earlier failure): remember it as stale.
  const [stale, setStale] = useState<unknown>(null);
  const id = useId();
  const failed = fetcher.data?.ok === false && fetcher.data !== stale ? fetcher.data : undefined;
  useEffect(() => {
    if (fetcher.state !== "idle") {
      submitted.current ??= { before: fetcher.data };
    } else if (submitted.current) {
      const { before } = submitted.current;
      submitted.current = null;
      if (fetcher.data === before || fetcher.data?.ok !== false) {
        form.current?.reset();
        setStale(fetcher.data);
      }
    }
  }, [fetcher.state, fetcher.data]);
  const pending = fetcher.state !== "idle";
  return (
    <details className="mb-6 rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900" open={Boolean(failed)}>
      <summary className="cursor-pointer px-4 py-3 text-sm font-semibold">Create a network</summary>
      <fetcher.Form ref={form} method="post" className="flex flex-col gap-3 border-t border-slate-200 p-4 dark:border-slate-800" aria-describedby={`${id}-note`}>
        <input type="hidden" name="intent" value="create" />
        <input type="hidden" name="agentId" value={agentId} />
        <FormError message={failed && Object.keys(failed.fields ?? {}).length === 0 ? failed.message : undefined} />
        <div className="grid gap-3 sm:grid-cols-3">
          <Field label="Name" name="name" error={failed?.fields?.name} hint="Letters, digits, _ . - (at least 2)." autoComplete="off" />
          <Field label="Subnet (optional)" name="subnet" required={false} error={failed?.fields?.subnet} hint="IPv4 CIDR, e.g. 10.20.0.0/24." autoComplete="off" />
          <Field label="Gateway (optional)" name="gateway" required={false} error={failed?.fields?.gateway} hint="Inside the subnet, e.g. 10.20.0.1." autoComplete="off" />
        </div>
        <div className="flex flex-wrap gap-4 text-sm">
          <label className="flex items-center gap-2">
            <input type="checkbox" name="internal" /> Internal (no outside access)
          </label>
          <label className="flex items-center gap-2">
            <input type="checkbox" name="attachable" /> Attachable
          </label>
        </div>
        <p id={`${id}-note`} className="text-xs text-slate-600 dark:text-slate-400">
          A bridge network on this host. The engine picks a free subnet when none is given.
        </p>
        <div>
          <button type="submit" className={BUTTON.primary} disabled={pending}>
            {pending ? "Creating…" : "Create network"}
          </button>
        </div>
      </fetcher.Form>
    </details>
  );
}
