import { useId } from "react";
import { CopyButton } from "~/components/ui/copy-button";

/** A command shown once, wrapped so all of it is visible, with a copy button. */
export function CommandLine({ label, hint, command, testId }: { label: string; hint?: string; command: string; testId?: string }) {
  const id = useId();
  return (
    <div className="flex flex-col gap-1">
      <div className="flex items-end justify-between gap-3">
        <div>
          <p id={id} className="text-sm font-medium">
            {label}
          </p>
          {hint ? <p className="text-xs text-slate-600 dark:text-slate-400">{hint}</p> : null}
        </div>
        <CopyButton text={command} label={`Copy`} />
      </div>
      <pre
        aria-labelledby={id}
        data-testid={testId}
        className="overflow-x-auto whitespace-pre-wrap break-all rounded-md border border-slate-300 bg-slate-50 p-3 font-mono text-xs text-slate-900 dark:border-slate-700 dark:bg-slate-950 dark:text-slate-100"
      >
        {command}
      </pre>
    </div>
  );
}
