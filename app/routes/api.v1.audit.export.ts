import { z } from "zod";
import { requireApiActor } from "~/server/auth/require.server";
import { exportAudit, type AuditExportFormat } from "~/server/audit/audit-log.server";
import { exportCheckpoint } from "~/server/audit/audit-settings.server";
import { api, readQuery } from "~/server/http/api.server";
import { AuditQuerySchema } from "~/validation/users";

const ExportQuery = AuditQuerySchema.omit({ limit: true, cursor: true }).extend({
  format: z.enum(["csv", "json", "cef", "syslog"], { message: "Use csv, json, cef or syslog." }).default("json"),
});

const CONTENT_TYPES: Record<AuditExportFormat, string> = {
  csv: "text/csv; charset=utf-8",
  json: "application/json; charset=utf-8",
  cef: "text/plain; charset=utf-8",
  syslog: "text/plain; charset=utf-8",
};

export const loader = api(async ({ request, context }) => {
  const actor = await requireApiActor(request, context);
  const { format, ...filters } = readQuery(request, ExportQuery);
  const stamp = new Date().toISOString().slice(0, 10);
  // Every export carries a signed checkpoint of the chain as it stood: kept with the file, it lets
  // an auditor prove later that nothing up to it was removed (docs/decisions/110).
  const checkpoint = await exportCheckpoint(actor);
  return new Response(exportAudit(actor, filters, format), {
    headers: {
      "Content-Type": CONTENT_TYPES[format],
      "Content-Disposition": `attachment; filename="infrapilot-audit-${stamp}.${format === "syslog" ? "log" : format}"`,
      "Cache-Control": "no-store",
      ...(checkpoint ? { "X-Audit-Checkpoint": `lastId=${checkpoint.lastId}; lastHash=${checkpoint.lastHash}; count=${checkpoint.count}; time=${checkpoint.time.toISOString()}; signature=${checkpoint.signature}` } : {}),
    },
  });
});
