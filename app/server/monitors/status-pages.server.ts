// Status pages (decision 060): an organization's chosen monitors on a public page. Managed with
// the monitor permissions and audited; the public read finds the owning organization through a
// definer function and then reads, inside that tenant, only the page's monitors' name, status and
// uptime.
import { assertPermission, type Actor } from "../auth/require.server";
import { auditInTx } from "../audit/audit.server";
import { systemDb, withOrg, type Tx } from "../db/client.server";
import { ConflictError, NotFoundError, ValidationError } from "../errors.server";
import { MONITOR_STATUSES, type CreateStatusPageInput, type MonitorStatus, type PublicStatusPage, type UpdateStatusPageInput } from "~/validation/monitors";
import { uptimeFor } from "./uptime.server";

export interface StatusPageDto {
  id: string;
  slug: string;
  title: string;
  description: string;
  monitorIds: string[];
  createdAt: string;
  updatedAt: string;
}

const SELECT = { id: true, slug: true, title: true, description: true, monitorIds: true, createdAt: true, updatedAt: true } as const;
type Row = { id: string; slug: string; title: string; description: string; monitorIds: string[]; createdAt: Date; updatedAt: Date };

const toDto = (r: Row): StatusPageDto => ({ ...r, createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString() });
const auditBase = (actor: Actor) => ({ orgId: actor.orgId, actorId: actor.userId, actorEmail: actor.email, ip: actor.ip ?? null, userAgent: actor.userAgent ?? null, outcome: "success" as const });

async function findRow(tx: Tx, actor: Actor, id: string): Promise<Row> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError("No such status page.");
  const row = await tx.statusPage.findFirst({ where: { id, orgId: actor.orgId }, select: SELECT });
  if (!row) throw new NotFoundError("No such status page.");
  return row;
}

async function assertMonitorsExist(tx: Tx, orgId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const found = await tx.monitor.findMany({ where: { orgId, id: { in: ids } }, select: { id: true } });
  const missing = ids.filter((id) => !found.some((f) => f.id === id));
  if (missing.length) throw new ValidationError("Some monitors do not exist.", { monitorIds: `Unknown monitor: ${missing.join(", ")}` });
}

function uniqueSlug<T>(fn: () => Promise<T>): Promise<T> {
  return fn().catch((error: { code?: string }) => {
    if (error?.code === "P2002") throw new ConflictError("This address is taken: choose another slug.");
    throw error;
  });
}

export async function listStatusPages(actor: Actor): Promise<{ items: StatusPageDto[]; nextCursor: null }> {
  assertPermission(actor, "read:monitor");
  const rows = await withOrg(actor.orgId, (tx) => tx.statusPage.findMany({ where: { orgId: actor.orgId }, select: SELECT, orderBy: { slug: "asc" }, take: 500 }));
  return { items: rows.map(toDto), nextCursor: null };
}

export async function getStatusPage(actor: Actor, id: string): Promise<StatusPageDto> {
  assertPermission(actor, "read:monitor");
  return toDto(await withOrg(actor.orgId, (tx) => findRow(tx, actor, id)));
}

export async function createStatusPage(actor: Actor, input: CreateStatusPageInput): Promise<StatusPageDto> {
  assertPermission(actor, "manage:monitor");
  const row = await uniqueSlug(() =>
    withOrg(actor.orgId, async (tx) => {
      await assertMonitorsExist(tx, actor.orgId, input.monitorIds);
      const created = await tx.statusPage.create({ data: { ...input, orgId: actor.orgId }, select: SELECT });
      await auditInTx(tx, { ...auditBase(actor), action: "status_page.create", targetType: "status_page", targetId: created.id, details: { slug: input.slug } });
      return created;
    }),
  );
  return toDto(row);
}

export async function updateStatusPage(actor: Actor, id: string, input: UpdateStatusPageInput): Promise<StatusPageDto> {
  assertPermission(actor, "manage:monitor");
  const row = await uniqueSlug(() =>
    withOrg(actor.orgId, async (tx) => {
      await findRow(tx, actor, id);
      if (input.monitorIds) await assertMonitorsExist(tx, actor.orgId, input.monitorIds);
      const updated = await tx.statusPage.update({ where: { id }, data: input, select: SELECT });
      await auditInTx(tx, { ...auditBase(actor), action: "status_page.update", targetType: "status_page", targetId: id, details: { changed: Object.keys(input) } });
      return updated;
    }),
  );
  return toDto(row);
}

export async function deleteStatusPage(actor: Actor, id: string): Promise<void> {
  assertPermission(actor, "manage:monitor");
  await withOrg(actor.orgId, async (tx) => {
    const row = await findRow(tx, actor, id);
    await tx.statusPage.delete({ where: { id } });
    await auditInTx(tx, { ...auditBase(actor), action: "status_page.delete", targetType: "status_page", targetId: id, details: { slug: row.slug } });
  });
}

/** The public view of a page by its slug (no login): 404 for an unknown slug. */
export async function publicStatusPage(slug: string): Promise<PublicStatusPage> {
  const clean = slug.toLowerCase();
  if (!/^[a-z0-9-]{1,60}$/.test(clean)) throw new NotFoundError("No such status page.");
  const owner = await systemDb().$queryRaw<{ orgId: string }[]>`SELECT "orgId" FROM status_page_org(${clean})`;
  const orgId = owner[0]?.orgId;
  if (!orgId) throw new NotFoundError("No such status page.");
  return withOrg(orgId, async (tx) => {
    const page = await tx.statusPage.findFirst({ where: { slug: clean }, select: { title: true, description: true, monitorIds: true } });
    if (!page) throw new NotFoundError("No such status page.");
    const monitors = await tx.monitor.findMany({ where: { id: { in: page.monitorIds } }, select: { id: true, name: true, status: true, enabled: true } });
    const uptime = await uptimeFor(tx, monitors.map((m) => m.id));
    // In the page's order; a deleted monitor simply drops out.
    const byId = new Map(monitors.map((m) => [m.id, m]));
    return {
      title: page.title,
      description: page.description,
      monitors: page.monitorIds
        .map((id) => byId.get(id))
        .filter((m): m is NonNullable<typeof m> => !!m)
        .map((m) => ({
          name: m.name,
          status: (!m.enabled ? "paused" : (MONITOR_STATUSES as readonly string[]).includes(m.status) ? m.status : "pending") as MonitorStatus,
          uptime: uptime.get(m.id) ?? { h24: null, d7: null, d30: null, d90: null },
        })),
    };
  });
}
