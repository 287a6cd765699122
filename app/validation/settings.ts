// Schemas for the organization settings forms.
import { z } from "zod";

/** An HTML checkbox posts "on" when ticked and nothing when not. */
export const SecuritySettingsFormSchema = z.object({
  requireMfa: z
    .literal("on", { message: "Tick the box or leave it empty." })
    .optional()
    .transform((v) => v === "on"),
});
