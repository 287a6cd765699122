import type { Actor } from "../auth/require.server";
import { systemDb, withOrg } from "../db/client.server";
import { edition } from "../edition.server";
import { NotFoundError } from "../errors.server";
import { toUserDto, type UserDto } from "./user-dto.server";

export interface Me {
  /** `mustChangePassword`: why every other call answers 403 password_change_required. */
  user: UserDto & { mustChangePassword: boolean };
  org: { id: string; name: string };
  edition: "community" | "saas";
}

export async function getMe(actor: Actor): Promise<Me> {
  const [user, org] = await Promise.all([
    systemDb().user.findUnique({
      where: { id: actor.userId },
      select: { id: true, email: true, name: true, mfaEnabled: true, disabled: true, createdAt: true, lastLoginAt: true, mustChangePassword: true },
    }),
    withOrg(actor.orgId, (tx) => tx.organization.findUnique({ where: { id: actor.orgId }, select: { id: true, name: true } })),
  ]);
  if (!user || !org) throw new NotFoundError();
  return { user: { ...toUserDto(user, actor.role), mustChangePassword: user.mustChangePassword }, org, edition: edition() };
}
