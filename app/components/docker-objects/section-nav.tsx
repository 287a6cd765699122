// The Docker area's sections: containers and the images, volumes and networks beside them.
import { NavLink } from "@remix-run/react";
import { withAgent, type AgentPickerData } from "~/agent-choice";

const SECTIONS = [
  { to: "/containers", label: "Containers" },
  { to: "/images", label: "Images" },
  { to: "/volumes", label: "Volumes" },
  { to: "/networks", label: "Networks" },
] as const;

/** `picker`: the sections keep the page's chosen agent in their links (SaaS). */
export function DockerSectionNav({ picker }: { picker?: AgentPickerData }) {
  return (
    <nav aria-label="Docker sections" className="mb-4 flex gap-1 overflow-x-auto border-b border-slate-200 dark:border-slate-800">
      {SECTIONS.map((s) => (
        <NavLink
          key={s.to}
          to={withAgent(s.to, picker)}
          end
          prefetch="intent"
          className={({ isActive }) =>
            `-mb-px whitespace-nowrap border-b-2 px-3 py-2 text-sm font-medium ${
              isActive ? "border-brand-600 text-brand-700 dark:text-brand-300" : "border-transparent text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-slate-200"
            }`
          }
        >
          {s.label}
        </NavLink>
      ))}
    </nav>
  );
}
