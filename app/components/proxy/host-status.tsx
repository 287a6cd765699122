import { Badge } from "~/components/ui/badge";

export function HostStatus({ state, message }: { state: "pending" | "ok" | "error"; message: string | null }) {
  if (state === "ok") return <Badge tone="good">Live</Badge>;
  if (state === "pending") return <Badge tone="warn">Applying</Badge>;
  return (
    <div className="flex flex-col gap-1">
      <Badge tone="bad">Error</Badge>
      {message ? <pre className="max-w-md whitespace-pre-wrap break-words text-xs text-red-700 dark:text-red-300">{message}</pre> : null}
    </div>
  );
}
