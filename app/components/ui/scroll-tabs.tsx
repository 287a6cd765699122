// A row of tabs that may be wider than a phone: it scrolls sideways, and a fade with a chevron on
// the side that has more tabs says so (a bare overflow hides them without a hint). The active tab
// is scrolled into view on load, so the page you are on is never the hidden one.
import { useEffect, useRef, useState, type ReactNode } from "react";

export function ScrollTabs({ label, role, className = "", children }: { label: string; role?: "tablist"; className?: string; children: ReactNode }) {
  const ref = useRef<HTMLElement & HTMLDivElement>(null);
  const [more, setMore] = useState({ left: false, right: false });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const update = () => setMore({ left: el.scrollLeft > 2, right: el.scrollLeft + el.clientWidth < el.scrollWidth - 2 });
    el.querySelector<HTMLElement>('[aria-current="page"], [aria-selected="true"]')?.scrollIntoView({ block: "nearest", inline: "nearest" });
    update();
    el.addEventListener("scroll", update, { passive: true });
    const observer = new ResizeObserver(update);
    observer.observe(el);
    return () => {
      el.removeEventListener("scroll", update);
      observer.disconnect();
    };
  }, []);
  const Tag = role ? "div" : "nav";
  return (
    <div className="relative mb-4" data-testid="scroll-tabs" data-more-left={more.left} data-more-right={more.right}>
      <Tag ref={ref} role={role} aria-label={label} className={`flex gap-1 overflow-x-auto border-b border-slate-200 [scrollbar-width:none] dark:border-slate-800 ${className}`}>
        {children}
      </Tag>
      {more.left ? <span aria-hidden className="pointer-events-none absolute inset-y-0 left-0 flex w-8 items-center bg-gradient-to-r from-slate-50 from-40% text-slate-500 dark:from-slate-950 dark:text-slate-400">‹</span> : null}
      {more.right ? <span aria-hidden className="pointer-events-none absolute inset-y-0 right-0 flex w-8 items-center justify-end bg-gradient-to-l from-slate-50 from-40% text-slate-500 dark:from-slate-950 dark:text-slate-400">›</span> : null}
    </div>
  );
}
