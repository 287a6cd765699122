import { Link } from "@remix-run/react";
import { BUTTON } from "~/components/ui/button-classes";

/**
 * The last row of a keyset-paginated table: loads the next page in place, and without JavaScript
 * the link opens it as a page of its own. `stacked`: rows stack as cards below md.
 */
export function LoadMoreRow({ href, colSpan, busy, onLoad, label = "Load more", stacked = false }: {
  href: string;
  colSpan: number;
  busy: boolean;
  onLoad: (href: string) => void;
  label?: string;
  stacked?: boolean;
}) {
  return (
    <tr className={stacked ? "block md:table-row" : undefined}>
      <td colSpan={colSpan} className={stacked ? "block py-3 text-center md:table-cell" : "py-3 text-center"}>
        <Link
          to={href}
          className={BUTTON.secondary}
          onClick={(event) => {
            event.preventDefault();
            onLoad(href);
          }}
          aria-disabled={busy ? true : undefined}
        >
          {busy ? "Loading…" : label}
        </Link>
      </td>
    </tr>
  );
}
