import { requireApiActor } from "~/server/auth/require.server";
import { listAudit } from "~/server/audit/audit-log.server";
import { api, json, readQuery } from "~/server/http/api.server";
import { AuditQuerySchema } from "~/validation/users";

export const loader = api(async ({ request, context }) => {
  const actor = await requireApiActor(request, context);
  const { limit, cursor, ...filters } = readQuery(request, AuditQuerySchema);
  return json(await listAudit(actor, filters, { limit, cursor }));
});
