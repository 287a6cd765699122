// First-run setup: creates the organization and its first super admin, exactly once.
import { randomUUID } from "node:crypto";
import { auditInTx } from "../audit/audit.server";
import { systemDb, withOrg } from "../db/client.server";
import { ConflictError, ValidationError } from "../errors.server";
import { toUserDto, type UserDto } from "../users/user-dto.server";
import { hashPassword, passwordProblem } from "./password.server";
import { checkSetupCode, forgetSetupCode } from "./setup-code.server";

const SETUP_LOCK = 7_126_002;

export async function setupNeeded(): Promise<boolean> {
  return (await systemDb().user.count()) === 0;
}

export interface SetupInput {
  email: string;
  name: string;
  password: string;
  /** The one-time code from the server's log; needed unless the client is this machine. */
  setupCode?: string;
}

export interface SetupMeta {
  ip?: string;
  userAgent?: string;
  /** The request comes from this machine itself (see isLocalRequest). */
  clientIsLocal: boolean;
}

export async function completeSetup(input: SetupInput, meta: SetupMeta): Promise<UserDto> {
  if (!(await setupNeeded())) throw new ConflictError("InfraPilot is already set up. Log in instead.");
  checkSetupCode(input.setupCode, meta.clientIsLocal);
  const problem = passwordProblem(input.password, input);
  if (problem) throw new ValidationError("Choose a stronger password.", { password: problem });
  const passwordHash = await hashPassword(input.password);
  const orgId = randomUUID();

  // The new organization's own transaction (app.org_id is its id, so RLS lets it be created).
  const user = await withOrg(orgId, async (tx) => {
    // Serialises concurrent setups: the first creates the admin, the rest see a user and stop.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SETUP_LOCK})`;
    if ((await tx.user.count()) > 0) throw new ConflictError("InfraPilot is already set up. Log in instead.");
    await tx.organization.create({ data: { id: orgId, name: "Default", slug: "default" } });
    const user = await tx.user.create({ data: { email: input.email, name: input.name, passwordHash } });
    await tx.membership.create({ data: { orgId, userId: user.id, role: "super_admin" } });
    await auditInTx(tx, {
      orgId,
      action: "setup.complete",
      outcome: "success",
      actorId: user.id,
      actorEmail: user.email,
      targetType: "user",
      targetId: user.id,
      ip: meta.ip,
      userAgent: meta.userAgent,
    });
    return toUserDto(user, "super_admin");
  });
  forgetSetupCode();
  return user;
}
