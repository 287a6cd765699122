import { Link } from "@remix-run/react";
import { BUTTON } from "~/components/ui/button-classes";
import { CopyButton } from "~/components/ui/copy-button";

function downloadText(filename: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The backup codes, shown once right after they are made. */
export function BackupCodes({ codes, email, continueTo }: { codes: string[]; email: string; continueTo?: string }) {
  const text = `InfraPilot backup codes for ${email}\nEach code works once. Keep them somewhere safe, away from this device.\n\n${codes.join("\n")}\n`;
  return (
    <div role="status" className="flex flex-col gap-4 rounded-lg border border-amber-300 bg-amber-50 p-4 dark:border-amber-800 dark:bg-amber-950">
      <div className="text-sm text-amber-950 dark:text-amber-100">
        <p className="font-semibold">Save your backup codes now. They are shown only once.</p>
        <p className="mt-1">If you lose your phone, each of these codes lets you log in once instead of a code from the app.</p>
      </div>
      <ol data-testid="backup-codes" className="grid grid-cols-2 gap-2 rounded-md bg-white p-3 font-mono text-sm sm:grid-cols-5 dark:bg-slate-900">
        {codes.map((c) => (
          <li key={c} className="text-center">
            {c}
          </li>
        ))}
      </ol>
      <div className="flex flex-wrap gap-2">
        <button type="button" className={BUTTON.primary} onClick={() => downloadText("infrapilot-backup-codes.txt", text)}>
          Download
        </button>
        <CopyButton text={codes.join("\n")} label="Copy all" />
        {continueTo ? (
          <Link to={continueTo} className={BUTTON.secondary}>
            I saved them, continue
          </Link>
        ) : null}
      </div>
    </div>
  );
}
