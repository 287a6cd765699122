import { requireApiActor } from "~/server/auth/require.server";
import { verifyAuditChain } from "~/server/audit/audit-log.server";
import { api, json } from "~/server/http/api.server";

export const loader = api(async ({ request, context }) => json(await verifyAuditChain(await requireApiActor(request, context))));
