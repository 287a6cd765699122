import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { requirePlatformAdmin } from "~/server/auth/require.server";
import { api, json, readQuery } from "~/server/http/api.server";
import { listPlatformAudit } from "~/server/platform/platform-audit.server";

const Query = z.object({ limit: z.coerce.number().int().min(1).max(500).optional(), cursor: z.string().max(200).optional() });

export const loader = api(async ({ request, context }: LoaderFunctionArgs) => {
  const operator = await requirePlatformAdmin(request, context);
  return json(await listPlatformAudit(operator, readQuery(request, Query)));
});
