/** The header row of a data table. `stackOnPhone`: hidden below md, where rows stack as cards. */
export function TableHead({ columns, stackOnPhone = false }: { columns: (string | null | false)[]; stackOnPhone?: boolean }) {
  return (
    <thead
      className={`border-b border-slate-200 text-left text-xs uppercase tracking-wide text-slate-500 dark:border-slate-800 dark:text-slate-400 ${stackOnPhone ? "hidden md:table-header-group" : ""}`}
    >
      <tr>
        {columns.filter((c): c is string => Boolean(c)).map((c) => (
          <th key={c} scope="col" className="py-2 pr-3 font-medium">
            {c}
          </th>
        ))}
      </tr>
    </thead>
  );
}
