import { requireApiActor } from "~/server/auth/require.server";
import { startPull } from "~/server/docker/images.server";
import { api, readJson, requireMethod } from "~/server/http/api.server";
import { PullImageSchema } from "~/validation/resources";

// POST {reference}: refusals (bad reference, role, agent, policy) are JSON errors; once the pull
// starts, its progress streams as NDJSON (`progress` lines, then `done` or `error`). A client that
// goes away cancels the pull.
export const action = api(async ({ request, context, params }) => {
  requireMethod(request, "POST");
  const actor = await requireApiActor(request, context);
  const events = await startPull(actor, params.agentId!, await readJson(request, PullImageSchema), request.signal);
  const encoder = new TextEncoder();
  const iterator = events[Symbol.asyncIterator]();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(`${JSON.stringify(next.value)}\n`));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
  return new Response(body, { headers: { "Content-Type": "application/x-ndjson; charset=utf-8", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" } });
});
