import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { serialize } from "cookie";
import { safeRedirectPath, page } from "~/server/http/page.server";

/** Stores the light/dark/system choice in a cookie so the server renders the right theme. */
export const action = page(async ({ request }: ActionFunctionArgs) => {
  const form = await request.formData();
  const theme = form.get("theme");
  const value = theme === "light" || theme === "dark" ? theme : "system";
  const cookie = serialize("theme", value, { path: "/", sameSite: "lax", maxAge: 60 * 60 * 24 * 365 });
  return redirect(safeRedirectPath(form.get("redirectTo"), "/"), { headers: { "Set-Cookie": cookie } });
});

export const loader = page(async () => {
  throw redirect("/");
});
