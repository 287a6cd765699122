import { z } from "zod";
import { requireApiActor } from "~/server/auth/require.server";
import { exportAudit } from "~/server/audit/audit-log.server";
import { api, readQuery } from "~/server/http/api.server";
import { AuditQuerySchema } from "~/validation/users";

const ExportQuery = AuditQuerySchema.omit({ limit: true, cursor: true }).extend({
  format: z.enum(["csv", "json"], { message: "Use csv or json." }).default("json"),
});

export const loader = api(async ({ request, context }) => {
  const actor = await requireApiActor(request, context);
  const { format, ...filters } = readQuery(request, ExportQuery);
  const stamp = new Date().toISOString().slice(0, 10);
  return new Response(exportAudit(actor, filters, format), {
    headers: {
      "Content-Type": format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="infrapilot-audit-${stamp}.${format}"`,
      "Cache-Control": "no-store",
    },
  });
});
