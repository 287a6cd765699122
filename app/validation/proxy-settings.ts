// Per-agent proxy settings (what nginx does with host names no proxy host serves). Shared by the
// Proxies page form, the API and the verb; no I/O, so the browser bundle can use it too.
import { z } from "zod";
import { RedirectSchema } from "./proxy";

export const DEFAULT_SITE_MODES = ["404", "redirect", "close"] as const;
export type DefaultSiteMode = (typeof DEFAULT_SITE_MODES)[number];

/** Same allowlist as a redirection host's target: http(s), no spaces, quotes, ;, {, }, $ or control characters. */
const redirectTarget = RedirectSchema.shape.to;

export const DefaultSiteSchema = z.discriminatedUnion(
  "mode",
  [
    z.object({ mode: z.literal("404") }).strict(),
    z.object({ mode: z.literal("close") }).strict(),
    z.object({ mode: z.literal("redirect"), to: redirectTarget }).strict(),
  ],
  { message: "Use 404, redirect or close." },
);
export type DefaultSite = z.infer<typeof DefaultSiteSchema>;

export const ProxySettingsSchema = z.object({ defaultSite: DefaultSiteSchema }).strict();
export type ProxySettingsInput = z.infer<typeof ProxySettingsSchema>;

/** A stored value that no longer parses (hand-edited row, older shape) falls back to the safe default. */
export function storedDefaultSite(value: unknown): DefaultSite {
  const parsed = DefaultSiteSchema.safeParse(value);
  return parsed.success ? parsed.data : { mode: "404" };
}
