import { Badge } from "~/components/ui/badge";

/** Live TCP reachability of a host's upstream (loaded after the page, refreshed every 15 s). */
export function Reachability({ result }: { result: { reachable: boolean | null; message: string; ms: number | null } | undefined }) {
  if (!result) return <span className="text-xs text-slate-500 dark:text-slate-400">checking…</span>;
  if (result.reachable === null) return <span className="text-xs text-slate-500 dark:text-slate-400">—</span>;
  return (
    <span data-testid="upstream-reachability" data-reachable={String(result.reachable)} title={result.message}>
      <Badge tone={result.reachable ? "good" : "bad"}>{result.reachable ? `up · ${result.ms} ms` : `down · ${result.message}`}</Badge>
    </span>
  );
}
