// Public, no login: a status page's uploaded logo, served with the type found in its bytes
// (PNG, JPEG, GIF or WebP; decision 063) and nosniff.
import { publicStatusLogo } from "~/server/monitors/status-pages.server";
import { api } from "~/server/http/api.server";

export const loader = api(async ({ params }) => {
  const logo = await publicStatusLogo(params.slug!);
  return new Response(new Uint8Array(logo.bytes), {
    headers: { "Content-Type": logo.type, "Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'" },
  });
});
