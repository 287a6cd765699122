// First-run setup, exactly once. Community: the organization and its first super admin. SaaS: the
// platform operator (platformAdmin, no organization, no membership: decision 096); tenants sign up.
import { randomUUID } from "node:crypto";
import { auditInTx } from "../audit/audit.server";
import { systemDb, withOrg } from "../db/client.server";
import { ConflictError, ValidationError } from "../errors.server";
import { edition } from "../edition.server";
import { toOperatorDto, type OperatorDto } from "../platform/operator.server";
import { platformAuditInTx } from "../platform/platform-audit.server";
import { withPlatform } from "../platform/platform-db.server";
import { toUserDto, type UserDto } from "../users/user-dto.server";
import { hashPassword, passwordProblem } from "./password.server";
import { checkSetupCode, forgetSetupCode } from "./setup-code.server";

const SETUP_LOCK = 7_126_002;

/** Community: no user yet. SaaS: no platform operator yet (tenants may have signed up before). */
export async function setupNeeded(): Promise<boolean> {
  if (edition() === "saas") return (await systemDb().user.count({ where: { platformAdmin: true } })) === 0;
  return (await systemDb().user.count()) === 0;
}

/** The login page sends visitors to /setup only while nobody at all can log in. */
export async function nobodyCanLogIn(): Promise<boolean> {
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

export async function completeSetup(input: SetupInput, meta: SetupMeta): Promise<UserDto | OperatorDto> {
  if (!(await setupNeeded())) throw new ConflictError("InfraPilot is already set up. Log in instead.");
  checkSetupCode(input.setupCode, meta.clientIsLocal);
  const problem = passwordProblem(input.password, input);
  if (problem) throw new ValidationError("Choose a stronger password.", { password: problem });
  const passwordHash = await hashPassword(input.password);
  if (edition() === "saas") return createOperator(input, passwordHash, meta);
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

/** SaaS: the operator, in an operator transaction so the platform audit entry commits with it. */
async function createOperator(input: SetupInput, passwordHash: string, meta: SetupMeta): Promise<OperatorDto> {
  const operator = await withPlatform(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SETUP_LOCK})`;
    if ((await tx.user.count({ where: { platformAdmin: true } })) > 0) throw new ConflictError("InfraPilot is already set up. Log in instead.");
    if (await tx.user.findUnique({ where: { email: input.email }, select: { id: true } })) {
      throw new ValidationError("This e-mail address already belongs to an account of a customer organization. Use another one for the operator.", {
        email: "Already used by a customer account.",
      });
    }
    const user = await tx.user.create({ data: { email: input.email, name: input.name, passwordHash, platformAdmin: true } });
    await platformAuditInTx(tx, { action: "operator.setup", actorId: user.id, actorEmail: user.email, ip: meta.ip, userAgent: meta.userAgent });
    return toOperatorDto(user);
  });
  forgetSetupCode();
  return operator;
}
