// Button looks shared by forms and dialogs (the SubmitButton in field.tsx is the primary one).
const base = "inline-flex items-center justify-center rounded-md text-sm font-medium disabled:opacity-60";

export const BUTTON = {
  primary: `${base} bg-brand-600 px-4 py-2 text-white shadow-sm hover:bg-brand-700`,
  secondary: `${base} border border-slate-300 bg-white px-3 py-1.5 hover:bg-slate-100 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800`,
  danger: `${base} bg-red-600 px-4 py-2 text-white shadow-sm hover:bg-red-700`,
  dangerOutline: `${base} border border-red-300 px-3 py-1.5 text-red-700 hover:bg-red-50 dark:border-red-800 dark:text-red-300 dark:hover:bg-red-950`,
} as const;

export const INPUT =
  "rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm outline-none focus:border-brand-500 focus:ring-2 focus:ring-brand-500/30 aria-[invalid]:border-red-500 dark:border-slate-700 dark:bg-slate-900";
