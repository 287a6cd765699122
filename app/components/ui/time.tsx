/**
 * Times are shown in UTC with a fixed format: the server and the browser render the same text
 * (no hydration mismatch), and operators comparing with logs get one unambiguous clock.
 */
export function formatUtc(iso: string, seconds = false): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, seconds ? 19 : 16)} UTC`;
}

export function Time({ iso, fallback = "—", seconds = false }: { iso: string | null | undefined; fallback?: string; seconds?: boolean }) {
  if (!iso) return <span className="text-slate-500 dark:text-slate-400">{fallback}</span>;
  return (
    <time dateTime={iso} title={iso} className="whitespace-nowrap">
      {formatUtc(iso, seconds)}
    </time>
  );
}
