// A 0–100 score as a ring; the colour follows the status, the number is in the middle. It never
// shrinks: in a flex row beside long reasons it used to, so rings of one page had different sizes.
const COLOURS = { ok: "stroke-emerald-500", warn: "stroke-amber-500", fail: "stroke-red-500" } as const;

export function ScoreRing({ score, status, size = 96, label }: { score: number; status: keyof typeof COLOURS; size?: number; label: string }) {
  const r = 40;
  const circumference = 2 * Math.PI * r;
  return (
    <svg width={size} height={size} viewBox="0 0 100 100" role="img" className="shrink-0" aria-label={`${label}: ${score} of 100 (${status})`} data-status={status}>
      <circle cx="50" cy="50" r={r} fill="none" strokeWidth="10" className="stroke-slate-200 dark:stroke-slate-800" />
      <circle
        cx="50"
        cy="50"
        r={r}
        fill="none"
        strokeWidth="10"
        strokeLinecap="round"
        strokeDasharray={`${(Math.max(0, Math.min(100, score)) / 100) * circumference} ${circumference}`}
        transform="rotate(-90 50 50)"
        className={COLOURS[status]}
      />
      <text x="50" y="56" textAnchor="middle" className="fill-current text-[22px] font-semibold">
        {score}
      </text>
    </svg>
  );
}
