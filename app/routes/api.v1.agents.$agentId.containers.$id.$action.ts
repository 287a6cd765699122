import { requireApiActor } from "~/server/auth/require.server";
import { operateContainer } from "~/server/docker/containers.server";
import { NotFoundError } from "~/server/errors.server";
import { api, json, requireMethod } from "~/server/http/api.server";
import { ContainerActionSchema } from "~/validation/containers";

// POST …/containers/:id/start|stop|restart
export const action = api(async ({ request, context, params }) => {
  const verb = ContainerActionSchema.safeParse(params.action);
  if (!verb.success) throw new NotFoundError();
  requireMethod(request, "POST");
  const actor = await requireApiActor(request, context);
  return json({ container: await operateContainer(actor, params.agentId!, params.id!, verb.data) });
});

export const loader = api(async ({ request, params }) => {
  if (!ContainerActionSchema.safeParse(params.action).success) throw new NotFoundError();
  requireMethod(request, "POST");
  throw new NotFoundError(); // not reached: a loader only answers GET and HEAD
});
