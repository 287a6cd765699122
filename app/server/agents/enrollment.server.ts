// Enrollment of remote agents (SaaS): tokens an admin creates (shown once, stored as SHA-256,
// expiring, limited uses, revocable) and the public exchange of a token and an Ed25519 public key
// for an agent id. A failed exchange creates nothing and costs the caller's address one attempt
// of the guess throttle. See docs/decisions/080-remote-agent-protocol.md.
import { assertPlanAllows } from "../plans/plan-limits.server";
import { createPublicKey } from "node:crypto";
import { audit } from "../audit/audit.server";
import { assertPermission, type Actor } from "../auth/require.server";
import { throttledGuess } from "../auth/throttle.server";
import { randomToken, sha256Hex } from "../crypto.server";
import { systemDb, withOrg, type Tx } from "../db/client.server";
import { requireFeature } from "../edition.server";
import { env } from "../env.server";
import { AppError, NotFoundError, ValidationError } from "../errors.server";
import type { EnrollInput } from "~/validation/agents";

export const ENROLLMENT_PREFIX = "ipe_";

export interface EnrollmentTokenDto {
  id: string;
  name: string;
  expiresAt: string;
  maxUses: number;
  uses: number;
  usesLeft: number;
  revokedAt: string | null;
  createdAt: string;
}

type TokenRow = { id: string; name: string; expiresAt: Date; maxUses: number; uses: number; revokedAt: Date | null; createdAt: Date };

function toDto(t: TokenRow): EnrollmentTokenDto {
  return {
    id: t.id,
    name: t.name,
    expiresAt: t.expiresAt.toISOString(),
    maxUses: t.maxUses,
    uses: t.uses,
    usesLeft: t.revokedAt || t.expiresAt <= new Date() ? 0 : Math.max(0, t.maxUses - t.uses),
    revokedAt: t.revokedAt?.toISOString() ?? null,
    createdAt: t.createdAt.toISOString(),
  };
}

/** Pure: the lines shown once with a new token (installer one-liner, `docker run`, from the checkout). */
export function installCommands(publicUrl: string, secret: string): { installCommand: string; dockerCommand: string; npmCommand: string } {
  const url = publicUrl.replace(/\/$/, "");
  return {
    installCommand: `curl -fsSL ${url}/install.sh | sh -s -- --token=${secret}`,
    // What install.sh runs (decision 130): host network for the node's nginx on 80/443, the image's
    // non-root user let into the Docker socket by the socket's group.
    dockerCommand:
      `docker run -d --name infrapilot-agent --restart unless-stopped --network host ` +
      `--group-add "$(stat -c %g /var/run/docker.sock)" --label io.infrapilot.protected=true ` +
      `-v /var/run/docker.sock:/var/run/docker.sock -v infrapilot-agent:/data ` +
      `-e AGENT_SERVER_URL=${url} -e AGENT_TOKEN=${secret} -e AGENT_DATA_DIR=/data infrapilot/agent:latest`,
    npmCommand: `AGENT_SERVER_URL=${url} AGENT_TOKEN=${secret} AGENT_DATA_DIR=./agent-data npm run agent`,
  };
}

export async function listEnrollmentTokens(actor: Actor): Promise<EnrollmentTokenDto[]> {
  requireFeature("remoteAgents");
  assertPermission(actor, "manage:agent");
  const rows = await withOrg(actor.orgId, (tx) => tx.enrollmentToken.findMany({ where: { orgId: actor.orgId, revokedAt: null }, orderBy: { createdAt: "desc" } }));
  return rows.map(toDto);
}

export async function createEnrollmentToken(
  actor: Actor,
  input: { name: string; expiresAt: Date; maxUses: number },
): Promise<{ token: EnrollmentTokenDto; secret: string; installCommand: string; dockerCommand: string; npmCommand: string }> {
  requireFeature("remoteAgents");
  assertPermission(actor, "manage:agent");
  const secret = ENROLLMENT_PREFIX + randomToken(32);
  const row = await withOrg(actor.orgId, (tx) =>
    tx.enrollmentToken.create({
      data: { orgId: actor.orgId, name: input.name, secretHash: sha256Hex(secret), expiresAt: input.expiresAt, maxUses: input.maxUses, createdById: actor.userId },
    }),
  );
  await audit({ orgId: actor.orgId, action: "agent.enrollment_token.create", outcome: "success", actorId: actor.userId, actorEmail: actor.email, targetType: "enrollment_token", targetId: row.id, ip: actor.ip, details: { name: input.name, maxUses: input.maxUses, expiresAt: input.expiresAt.toISOString() } });
  return { token: toDto(row), secret, ...installCommands(env().PUBLIC_URL, secret) };
}

export async function revokeEnrollmentToken(actor: Actor, id: string): Promise<void> {
  requireFeature("remoteAgents");
  assertPermission(actor, "manage:agent");
  const updated = await withOrg(actor.orgId, (tx) => tx.enrollmentToken.updateMany({ where: { id, orgId: actor.orgId, revokedAt: null }, data: { revokedAt: new Date() } }));
  if (updated.count === 0) throw new NotFoundError("No such enrollment token.");
  await audit({ orgId: actor.orgId, action: "agent.enrollment_token.revoke", outcome: "success", actorId: actor.userId, actorEmail: actor.email, targetType: "enrollment_token", targetId: id, ip: actor.ip });
}

export class InvalidEnrollmentTokenError extends AppError {
  constructor() {
    super("This enrollment token is not valid: unknown, expired, used up or revoked. Create a new one.", 401, "invalid_enrollment_token");
  }
}

/** The Ed25519 key of a PEM, or a 400 naming the field. */
export function parseAgentPublicKey(pem: string): string {
  try {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== "ed25519") throw new Error("not ed25519");
    return key.export({ type: "spki", format: "pem" }).toString();
  } catch {
    throw new ValidationError("The public key is not an Ed25519 SPKI PEM key.", { publicKey: "Send an Ed25519 public key as SPKI PEM." });
  }
}

/**
 * Exchanges an enrollment token and the agent's public key for a new remote agent row. Unknown,
 * expired, used-up and revoked tokens all answer the same 401 and leave nothing behind; the
 * token's row is locked while its use is counted, so a token of N uses enrolls N agents at most
 * whatever the concurrency.
 */
export async function enrollAgent(input: EnrollInput, context: { ip?: string }): Promise<{ agentId: string; orgId: string; name: string }> {
  requireFeature("remoteAgents");
  const publicKey = parseAgentPublicKey(input.publicKey);
  const secretHash = sha256Hex(input.token);
  const keys = [`enroll:ip:${context.ip ?? "unknown"}`];
  const enrolled = await throttledGuess(
    keys,
    async () => {
      if (!input.token.startsWith(ENROLLMENT_PREFIX)) return null;
      const found = await systemDb().$queryRaw<{ org: string | null }[]>`SELECT enrollment_token_org(${secretHash}) AS org`;
      const orgId = found[0]?.org;
      if (!orgId) return null;
      return withOrg(orgId, async (tx) => {
        const locked = await tx.$queryRaw<{ id: string }[]>`
          SELECT id FROM "EnrollmentToken" WHERE "secretHash" = ${secretHash}
             AND "revokedAt" IS NULL AND "expiresAt" > now() AND "uses" < "maxUses" FOR UPDATE`;
        const tokenId = locked[0]?.id;
        if (!tokenId) return null;
        // The plan's agent limit (decision 095): 402 plan_limit, and the token keeps its use.
        await assertPlanAllows(orgId, "agents", tx);
        await tx.enrollmentToken.update({ where: { id: tokenId }, data: { uses: { increment: 1 } } });
        const name = await freeAgentName(tx, orgId, input.name ?? input.hostname ?? "agent");
        const agent = await tx.agent.create({
          data: { orgId, name, kind: "remote", status: "offline", publicKey, hostname: input.hostname ?? null, enrollmentTokenId: tokenId },
          select: { id: true, name: true },
        });
        return { agentId: agent.id, orgId, name: agent.name, tokenId };
      });
    },
    (result) => result !== null,
  );
  if (!enrolled) {
    await audit({ orgId: null, action: "agent.enroll", outcome: "failure", targetType: "agent", ip: context.ip, details: { reason: "invalid_enrollment_token" } });
    throw new InvalidEnrollmentTokenError();
  }
  await audit({ orgId: enrolled.orgId, action: "agent.enroll", outcome: "success", targetType: "agent", targetId: enrolled.agentId, ip: context.ip, details: { name: enrolled.name, hostname: input.hostname ?? null, enrollmentTokenId: enrolled.tokenId } });
  return { agentId: enrolled.agentId, orgId: enrolled.orgId, name: enrolled.name };
}

/** `name`, or `name-2`, `name-3`… when the organization already has an agent of that name. */
async function freeAgentName(tx: Tx, orgId: string, wanted: string): Promise<string> {
  const base = wanted.replace(/[^A-Za-z0-9._ -]/g, "-").replace(/^[^A-Za-z0-9]+/, "").slice(0, 55) || "agent";
  const taken = new Set((await tx.agent.findMany({ where: { orgId, name: { startsWith: base } }, select: { name: true } })).map((a) => a.name));
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}
