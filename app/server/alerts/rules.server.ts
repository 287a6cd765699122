// Alert rules: create, list, update, delete. Each change is audited and tells the engine to
// reload (rules-version.server.ts).
import { assertPermission, type Actor } from "../auth/require.server";
import { auditInTx } from "../audit/audit.server";
import { withOrg, type Tx } from "../db/client.server";
import { NotFoundError, ValidationError } from "../errors.server";
import { parseWith } from "../http/api.server";
import { CreateRuleSchema, RULE_TYPES, THRESHOLD_MEANING, type CreateRuleInput, type MaintenanceWindow, type RuleScope, type RuleType, type UpdateRuleInput } from "~/validation/alerts";
import type { RuleSpec } from "./evaluate";
import { bumpRulesVersion } from "./rules-version.server";

export interface RuleDto extends RuleSpec {
  createdAt: string;
  updatedAt: string;
}

const SELECT = {
  id: true,
  name: true,
  type: true,
  scope: true,
  threshold: true,
  windowSeconds: true,
  cooldownSeconds: true,
  channelIds: true,
  notifyOnResolve: true,
  enabled: true,
  maintenance: true,
  createdAt: true,
  updatedAt: true,
} as const;

type Row = {
  id: string;
  name: string;
  type: string;
  scope: unknown;
  threshold: number | null;
  windowSeconds: number;
  cooldownSeconds: number;
  channelIds: string[];
  notifyOnResolve: boolean;
  enabled: boolean;
  maintenance: unknown;
  createdAt: Date;
  updatedAt: Date;
};

export function toRuleSpec(row: Omit<Row, "createdAt" | "updatedAt">): RuleSpec {
  return {
    id: row.id,
    name: row.name,
    type: ((RULE_TYPES as readonly string[]).includes(row.type) ? row.type : "container_crash") as RuleType,
    scope: (row.scope ?? { all: true }) as RuleScope,
    threshold: row.threshold,
    windowSeconds: row.windowSeconds,
    cooldownSeconds: row.cooldownSeconds,
    channelIds: row.channelIds,
    notifyOnResolve: row.notifyOnResolve,
    enabled: row.enabled,
    maintenance: (Array.isArray(row.maintenance) ? row.maintenance : []) as MaintenanceWindow[],
  };
}

function toDto(row: Row): RuleDto {
  return { ...toRuleSpec(row), createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() };
}

async function findRow(tx: Tx, actor: Actor, id: string): Promise<Row> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError("No such rule.");
  const row = await tx.alertRule.findFirst({ where: { id, orgId: actor.orgId }, select: SELECT });
  if (!row) throw new NotFoundError("No such rule.");
  return row;
}

/** Every channel id names one of the organization's channels (rules and monitors notify through them). */
export async function assertChannelsExist(tx: Tx, orgId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const found = await tx.alertChannel.findMany({ where: { orgId, id: { in: ids } }, select: { id: true } });
  const missing = ids.filter((id) => !found.some((f) => f.id === id));
  if (missing.length) throw new ValidationError("Some channels do not exist.", { channelIds: `Unknown channel: ${missing.join(", ")}` });
}

const auditBase = (actor: Actor) => ({ orgId: actor.orgId, actorId: actor.userId, actorEmail: actor.email, ip: actor.ip ?? null, userAgent: actor.userAgent ?? null, outcome: "success" as const });

export async function listRules(actor: Actor): Promise<{ items: RuleDto[]; nextCursor: null }> {
  assertPermission(actor, "read:alert");
  const rows = await withOrg(actor.orgId, (tx) => tx.alertRule.findMany({ where: { orgId: actor.orgId }, select: SELECT, orderBy: { name: "asc" }, take: 500 }));
  return { items: rows.map(toDto), nextCursor: null };
}

export async function getRule(actor: Actor, id: string): Promise<RuleDto> {
  assertPermission(actor, "read:alert");
  return toDto(await withOrg(actor.orgId, (tx) => findRow(tx, actor, id)));
}

export async function createRule(actor: Actor, input: CreateRuleInput): Promise<RuleDto> {
  assertPermission(actor, "manage:alert");
  const row = await withOrg(actor.orgId, async (tx) => {
    await assertChannelsExist(tx, actor.orgId, input.channelIds);
    const created = await tx.alertRule.create({ data: { ...input, orgId: actor.orgId, scope: input.scope as object, maintenance: input.maintenance as object[] }, select: SELECT });
    await auditInTx(tx, { ...auditBase(actor), action: "alert.rule.create", targetType: "alert_rule", targetId: created.id, details: { name: input.name, type: input.type } });
    return created;
  });
  bumpRulesVersion();
  return toDto(row);
}

export async function updateRule(actor: Actor, id: string, input: UpdateRuleInput): Promise<RuleDto> {
  assertPermission(actor, "manage:alert");
  const row = await withOrg(actor.orgId, async (tx) => {
    const existing = await findRow(tx, actor, id);
    // The merged rule must still be complete (a cpu rule keeps a threshold).
    const { id: _id, ...current } = toRuleSpec(existing);
    void _id;
    parseWith(CreateRuleSchema, { ...current, ...input });
    if (input.channelIds) await assertChannelsExist(tx, actor.orgId, input.channelIds);
    const data = { ...input, ...(input.scope ? { scope: input.scope as object } : {}), ...(input.maintenance ? { maintenance: input.maintenance as object[] } : {}) };
    const updated = await tx.alertRule.update({ where: { id }, data, select: SELECT });
    await auditInTx(tx, { ...auditBase(actor), action: "alert.rule.update", targetType: "alert_rule", targetId: id, details: { changed: Object.keys(input) } });
    return updated;
  });
  bumpRulesVersion();
  return toDto(row);
}

export async function deleteRule(actor: Actor, id: string): Promise<void> {
  assertPermission(actor, "manage:alert");
  await withOrg(actor.orgId, async (tx) => {
    const row = await findRow(tx, actor, id);
    await tx.alertRule.delete({ where: { id } });
    await auditInTx(tx, { ...auditBase(actor), action: "alert.rule.delete", targetType: "alert_rule", targetId: id, details: { name: row.name, type: row.type } });
  });
  bumpRulesVersion();
}

export { THRESHOLD_MEANING };
