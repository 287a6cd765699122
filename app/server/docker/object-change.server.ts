// What every change to an image, volume or network goes through (docs/decisions/075): the policy
// hook, the self-protection refusal, and the audit entry with the outcome.
import { audit } from "../audit/audit.server";
import type { Actor } from "../auth/require.server";
import { SelfProtectedError, toAppError } from "../errors.server";
import { logger } from "../logger.server";
import { auditActor } from "./containers.server";
import type { ObjectKind } from "./object-protection";

export interface ObjectChange {
  agentId: string;
  kind: ObjectKind;
  action: "pull" | "remove" | "prune" | "create";
  /** Image id or reference, volume name, network id or name; null for a prune. */
  target: string | null;
}

/**
 * The policy engine's hook point. Policies (SaaS: "no pulls outside our registry", "no prune in
 * production") are not built yet (README "What is not done yet"); when they are, this is where an
 * organization's policies are evaluated and a refusal thrown as a 403. Every change of an image,
 * volume or network passes here before anything reaches the agent.
 */
export async function checkObjectPolicy(actor: Actor, change: ObjectChange): Promise<void> {
  void actor;
  void change;
}

/** 409 self_protected, audited as denied. */
export async function refuseProtected(actor: Actor, change: ObjectChange, reason: string, details: Record<string, unknown>): Promise<never> {
  await audit({
    ...auditActor(actor),
    action: `${change.kind}.${change.action}`,
    outcome: "denied",
    targetType: change.kind,
    targetId: change.target,
    details: { agentId: change.agentId, ...details, reason: "self_protected" },
  }).catch((error) => logger.error("audit failed", { error }));
  throw new SelfProtectedError(reason);
}

/** Runs the change and records it: success with `details` (and what `run` adds), or failure with the reason. */
export async function auditedChange<T>(actor: Actor, change: ObjectChange, details: Record<string, unknown>, run: () => Promise<T>, result?: (value: T) => Record<string, unknown>): Promise<T> {
  const base = { ...auditActor(actor), action: `${change.kind}.${change.action}`, targetType: change.kind, targetId: change.target };
  let value: T;
  try {
    value = await run();
  } catch (error) {
    const known = toAppError(error);
    await audit({ ...base, outcome: "failure", details: { agentId: change.agentId, ...details, error: known?.message ?? "internal error" } }).catch((e) =>
      logger.error("audit failed", { error: e }),
    );
    throw error;
  }
  await audit({ ...base, outcome: "success", details: { agentId: change.agentId, ...details, ...(result ? result(value) : {}) } });
  return value;
}
