// The Organizations page's form intents, each one domain verb (routes stay thin).
import { redirect } from "@remix-run/node";
import { z } from "zod";
import type { Actor } from "../auth/require.server";
import { formFailure } from "../http/form-failure.server";
import { parseForm, redirectWithToast } from "../http/page.server";
import { ChangeMemberRoleSchema, CreateInvitationSchema, CreateOrgSchema, RenameOrgSchema } from "~/validation/orgs";
import { createOrgInvitation, revokeOrgInvitation } from "./invitations.server";
import { changeMemberRole, removeMember } from "./members.server";
import { createOrg, deleteOrg, renameOrg, switchOrg } from "./orgs.server";

const userId = z.object({ userId: z.string().min(1).max(64) });
const invitationId = z.object({ id: z.string().min(1).max(64) });

export async function organizationsPageAction(actor: Actor, form: FormData) {
  const intent = String(form.get("intent") ?? "");
  try {
    if (intent === "create-org") {
      const parsed = await parseForm(form, CreateOrgSchema);
      if (!parsed.ok) return { ok: false as const, intent, message: undefined, fields: parsed.fields };
      const org = await createOrg(actor, parsed.data);
      await switchOrg(actor, { orgId: org.id });
      return redirectWithToast("/organizations", { kind: "success", message: `${org.name} is ready. You are working in it now.` });
    }
    if (intent === "rename") {
      const parsed = await parseForm(form, RenameOrgSchema);
      if (!parsed.ok) return { ok: false as const, intent, message: undefined, fields: parsed.fields };
      await renameOrg(actor, parsed.data);
      return redirectWithToast("/organizations", { kind: "success", message: "Organization renamed." });
    }
    if (intent === "invite") {
      const parsed = await parseForm(form, CreateInvitationSchema);
      if (!parsed.ok) return { ok: false as const, intent, message: undefined, fields: parsed.fields };
      const created = await createOrgInvitation(actor, parsed.data);
      return { ok: true as const, intent, invited: { email: created.invitation.email, url: created.url, mailed: created.mailed } };
    }
    if (intent === "revoke") {
      const parsed = await parseForm(form, invitationId);
      if (parsed.ok) await revokeOrgInvitation(actor, parsed.data.id);
      return redirectWithToast("/organizations", { kind: "success", message: "Invitation withdrawn: its link no longer works." });
    }
    if (intent === "role") {
      const parsed = await parseForm(form, userId.extend(ChangeMemberRoleSchema.shape));
      if (!parsed.ok) return { ok: false as const, intent, message: "Choose a role.", fields: parsed.fields };
      const member = await changeMemberRole(actor, parsed.data.userId, { role: parsed.data.role });
      return redirectWithToast("/organizations", { kind: "success", message: `${member.name} is now ${member.role.replace("_", " ")}.` });
    }
    if (intent === "remove") {
      const parsed = await parseForm(form, userId);
      if (parsed.ok) await removeMember(actor, parsed.data.userId);
      if (parsed.ok && parsed.data.userId === actor.userId) return redirect("/login");
      return redirectWithToast("/organizations", { kind: "success", message: "Member removed." });
    }
    if (intent === "delete-org") {
      const result = await deleteOrg(actor, { confirm: String(form.get("confirmation") ?? "").trim() });
      if (result.next) return redirectWithToast("/dashboard", { kind: "success", message: `The organization was deleted. You are in ${result.next.name} now.` });
      return redirect("/organization-deleted");
    }
    return { ok: false as const, intent, message: "Unknown action.", fields: {} };
  } catch (error) {
    return { ...formFailure(error), intent };
  }
}
