import { requireApiActor } from "~/server/auth/require.server";
import { api, parseWith } from "~/server/http/api.server";
import { exportLogs } from "~/server/logs/log-query.server";
import { countLogExport } from "~/server/logs/log-sources.server";
import { LogExportSchema, searchParamsToInput } from "~/validation/logs";

export const loader = api(async ({ request, context }) => {
  const actor = await requireApiActor(request, context);
  const { format, ...filters } = parseWith(LogExportSchema, searchParamsToInput(new URL(request.url).searchParams));
  const stamp = new Date().toISOString().slice(0, 10);
  // The count (when it comes quickly) lets the Logs page show a progress bar; the file is the same.
  const [body, count] = await Promise.all([exportLogs(actor, filters, format), countLogExport(actor, filters)]);
  return new Response(body, {
    headers: {
      "Content-Type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
      "Content-Disposition": `attachment; filename="infrapilot-logs-${stamp}.${format}"`,
      "Cache-Control": "no-store",
      ...(count !== null ? { "X-Log-Count": String(count), "Access-Control-Expose-Headers": "X-Log-Count" } : {}),
    },
  });
});
