// Schemas shared by the container pages, the API and the live (Socket.IO) subscriptions.
import { z } from "zod";

const bool = z.enum(["true", "false"], { message: "Use true or false." }).transform((v) => v === "true");
const isoTime = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)) || /^\d{1,12}(\.\d+)?$/.test(v), "Use an ISO-8601 time or unix seconds.");

export const ContainerListQuerySchema = z.object({
  all: bool.optional(),
  q: z.string().max(200).optional(),
  stack: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  cursor: z.string().max(200).optional(),
});

/** One masked field to show in clear: `env:KEY`, `label:KEY`, `cmd` or `entrypoint`. */
export const RevealSchema = z
  .string()
  .max(300)
  .regex(/^(env:[^\s]+|label:[^\s]+|cmd|entrypoint)$/, "Name the one value to reveal: env:KEY, label:KEY, cmd or entrypoint.");
export const ContainerDetailQuerySchema = z.object({ reveal: RevealSchema.optional() });
export const RemoveContainerQuerySchema = z.object({ force: bool.optional() });
export const ContainerActionSchema = z.enum(["start", "stop", "restart"], { message: "Use start, stop or restart." });

export const MAX_LOG_TAIL = 5000;

export const LogsQuerySchema = z.object({
  tail: z.coerce.number().int().min(0).max(MAX_LOG_TAIL).optional(),
  since: isoTime.optional(),
  until: isoTime.optional(),
  follow: z.enum(["false"], { message: "Follow logs over the live connection; the API answers follow=false only." }).optional(),
});

const id = z.string().min(1).max(255);

export const ContainersSubscribeSchema = z.object({ agentId: id });
export const LogsSubscribeSchema = z.object({ agentId: id, containerId: id, tail: z.number().int().min(0).max(MAX_LOG_TAIL).default(200) });
/** The Logs page's live stream: exactly one of containerIds, stack or all. */
export const LogsStreamSchema = z
  .object({
    agentId: id,
    containerIds: z.array(id).min(1).max(50).optional(),
    stack: z.string().min(1).max(200).optional(),
    all: z.boolean().optional(),
    proxyHostIds: z.array(id).min(1).max(20).optional(),
    since: z
      .string()
      .max(40)
      .refine((v) => !Number.isNaN(Date.parse(v)), "Use an ISO-8601 time.")
      .optional(),
  })
  .refine((v) => {
    const containers = [v.containerIds?.length ? 1 : 0, v.stack ? 1 : 0, v.all ? 1 : 0].reduce((a, b) => a + b, 0);
    // Containers: one way of choosing them; none at all only when proxy hosts are chosen.
    return containers === 1 || (containers === 0 && Boolean(v.proxyHostIds?.length));
  }, "Choose containers, a stack or all (or proxy hosts only).");
export const TerminalOpenSchema = z.object({
  agentId: id,
  containerId: id,
  shell: z.enum(["sh", "bash"]).default("sh"),
  cols: z.number().int().min(10).max(500).default(80),
  rows: z.number().int().min(5).max(300).default(24),
});

export const TerminalFrameSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("input"), data: z.string().max(16_384) }),
  z.object({ type: z.literal("resize"), cols: z.number().int().min(10).max(500), rows: z.number().int().min(5).max(300) }),
  z.object({ type: z.literal("exit") }),
]);
export type TerminalFrame = z.infer<typeof TerminalFrameSchema>;

/** `?range=` of the stats history (API and pages); 1 h when omitted. */
export const StatsHistoryQuerySchema = z.object({
  range: z.enum(["1h", "6h", "24h"], { message: "Use 1h, 6h or 24h." }).default("1h"),
});
