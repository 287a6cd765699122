// The proxy area's sections: hosts, the access lists they can use, and their certificates.
import { NavLink } from "@remix-run/react";
import { ScrollTabs } from "~/components/ui/scroll-tabs";

const SECTIONS = [
  { to: "/proxies", label: "Hosts" },
  { to: "/access-lists", label: "Access lists" },
  { to: "/certificates", label: "Certificates" },
] as const;

export function ProxySectionNav() {
  return (
    <ScrollTabs label="Proxy sections">
      {SECTIONS.map((s) => (
        <NavLink
          key={s.to}
          to={s.to}
          end
          className={({ isActive }) =>
            `-mb-px whitespace-nowrap border-b-2 px-3 py-2 text-sm font-medium ${
              isActive ? "border-brand-600 text-brand-700 dark:text-brand-300" : "border-transparent text-slate-500 hover:text-slate-800 dark:hover:text-slate-200 dark:text-slate-400"
            }`
          }
        >
          {s.label}
        </NavLink>
      ))}
    </ScrollTabs>
  );
}
