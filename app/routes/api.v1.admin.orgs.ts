import type { LoaderFunctionArgs } from "@remix-run/node";
import { requirePlatformAdmin } from "~/server/auth/require.server";
import { api, json } from "~/server/http/api.server";
import { listOrgsForOperator } from "~/server/platform/orgs-admin.server";

export const loader = api(async ({ request, context }: LoaderFunctionArgs) => json(await listOrgsForOperator(await requirePlatformAdmin(request, context))));
