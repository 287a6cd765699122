// Status pages (decisions 060, 063): an organization's chosen monitors on a public page, in
// groups, with a title, description, logo (a URL or a small uploaded image), incident posts and
// maintenance notices. Managed with the monitor permissions and audited; the public read finds
// the owning organization through a definer function and then reads, inside that tenant, only
// what the page shows. Public reads are cached in this process for a few seconds.
import { assertPermission, type Actor } from "../auth/require.server";
import { auditInTx } from "../audit/audit.server";
import { systemDb, withOrg, type Tx } from "../db/client.server";
import { ConflictError, NotFoundError, ValidationError } from "../errors.server";
import { inMaintenance } from "../alerts/evaluate";
import {
  MONITOR_STATUSES,
  type CreatePostInput,
  type CreateStatusPageInput,
  type MonitorStatus,
  type PostDto,
  type PublicMonitor,
  type PublicStatusPage,
  type UpdatePostInput,
  type UpdateStatusPageInput,
} from "~/validation/monitors";
import { windowsOf } from "./monitors.server";
import { parseLogo } from "./logo";
import { uptimeFor } from "./uptime.server";
import { afterDomainChange, assertDomainFree, customDomainState, isCustomDomainConflict, switchDomainInTx, type CustomDomainState } from "./status-domains.server";

export interface StatusPageGroup {
  name: string;
  monitorIds: string[];
}

export interface StatusPageDto {
  id: string;
  slug: string;
  title: string;
  description: string;
  monitorIds: string[];
  groups: StatusPageGroup[];
  logoUrl: string | null;
  /** An uploaded logo is stored: served at /status/<slug>/logo. */
  hasLogo: boolean;
  /** Also served on this name through InfraPilot's own nginx (decision 140). */
  customDomain: string | null;
  /** The custom domain's certificate and its issuance progress (get, create, update). */
  domain?: CustomDomainState | null;
  createdAt: string;
  updatedAt: string;
}

const SELECT = { id: true, slug: true, title: true, description: true, monitorIds: true, groups: true, logoUrl: true, logoType: true, customDomain: true, certificateId: true, createdAt: true, updatedAt: true } as const;
type Row = { id: string; slug: string; title: string; description: string; monitorIds: string[]; groups: unknown; logoUrl: string | null; logoType: string | null; customDomain: string | null; certificateId: string | null; createdAt: Date; updatedAt: Date };

const groupsOf = (v: unknown): StatusPageGroup[] => (Array.isArray(v) ? (v as StatusPageGroup[]) : []);
const toDto = (r: Row): StatusPageDto => ({
  id: r.id,
  slug: r.slug,
  title: r.title,
  description: r.description,
  monitorIds: r.monitorIds,
  groups: groupsOf(r.groups),
  logoUrl: r.logoUrl,
  hasLogo: r.logoType !== null,
  customDomain: r.customDomain,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});
const auditBase = (actor: Actor) => ({ orgId: actor.orgId, actorId: actor.userId, actorEmail: actor.email, ip: actor.ip ?? null, userAgent: actor.userAgent ?? null, outcome: "success" as const });

// ---------------------------------------------------------------------------------------------
// A short public cache: a popular page is read from the database at most every few seconds per
// process; any change made through this process clears it at once.
const CACHE_MS = 10_000;
const cache = new Map<string, { at: number; page: PublicStatusPage }>();
const forget = () => cache.clear();

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
    if (isCustomDomainConflict(error)) throw new ConflictError("This domain is already used on this service. Choose another name.", "domain_taken", { customDomain: "This name is already used on this service." });
    if (error?.code === "P2002") throw new ConflictError("This address is taken: choose another slug.");
    throw error;
  });
}

/** Groups given: the page's monitors are theirs, in group order (monitorIds stays the flat list). */
function shape(input: Partial<CreateStatusPageInput>) {
  const data: Record<string, unknown> = {};
  for (const k of ["slug", "title", "description", "logoUrl", "customDomain"] as const) if (input[k] !== undefined) data[k] = input[k];
  if (input.groups !== undefined) {
    const groups = input.groups.map((g) => ({ name: g.name, monitorIds: [...new Set(g.monitorIds)] })).filter((g) => g.monitorIds.length > 0);
    data.groups = groups;
    const grouped = groups.flatMap((g) => g.monitorIds);
    data.monitorIds = [...new Set([...grouped, ...(input.monitorIds ?? [])])];
  } else if (input.monitorIds !== undefined) data.monitorIds = [...new Set(input.monitorIds)];
  if (input.logo !== undefined) {
    if (input.logo === null) Object.assign(data, { logo: null, logoType: null });
    else {
      const logo = parseLogo(input.logo);
      Object.assign(data, { logo: logo.bytes, logoType: logo.type });
    }
  }
  return data;
}

export async function listStatusPages(actor: Actor): Promise<{ items: StatusPageDto[]; nextCursor: null }> {
  assertPermission(actor, "read:monitor");
  const rows = await withOrg(actor.orgId, (tx) => tx.statusPage.findMany({ where: { orgId: actor.orgId }, select: SELECT, orderBy: { slug: "asc" }, take: 500 }));
  return { items: rows.map(toDto), nextCursor: null };
}

export async function getStatusPage(actor: Actor, id: string): Promise<StatusPageDto> {
  assertPermission(actor, "read:monitor");
  return withDomain(actor, await withOrg(actor.orgId, (tx) => findRow(tx, actor, id)));
}

async function withDomain(actor: Actor, row: Row): Promise<StatusPageDto> {
  return { ...toDto(row), domain: await customDomainState(actor.orgId, row) };
}

export async function createStatusPage(actor: Actor, input: CreateStatusPageInput): Promise<StatusPageDto> {
  assertPermission(actor, "manage:monitor");
  const data = shape(input);
  let certificateId: string | null = null;
  const row = await uniqueSlug(() =>
    withOrg(actor.orgId, async (tx) => {
      await assertMonitorsExist(tx, actor.orgId, data.monitorIds as string[]);
      if (input.customDomain) await assertDomainFree(tx, actor.orgId, input.customDomain);
      const created = await tx.statusPage.create({ data: { ...(data as { slug: string; title: string }), orgId: actor.orgId }, select: SELECT });
      await auditInTx(tx, { ...auditBase(actor), action: "status_page.create", targetType: "status_page", targetId: created.id, details: { slug: input.slug, customDomain: input.customDomain ?? null } });
      if (!input.customDomain) return created;
      certificateId = await switchDomainInTx(tx, actor, created, input.customDomain);
      return { ...created, certificateId };
    }),
  );
  forget();
  if (row.customDomain) await afterDomainChange(actor, certificateId);
  return withDomain(actor, row);
}

export async function updateStatusPage(actor: Actor, id: string, input: UpdateStatusPageInput): Promise<StatusPageDto> {
  assertPermission(actor, "manage:monitor");
  const data = shape(input);
  let domainChanged = false;
  let certificateId: string | null = null;
  const row = await uniqueSlug(() =>
    withOrg(actor.orgId, async (tx) => {
      const before = await findRow(tx, actor, id);
      if (data.monitorIds) await assertMonitorsExist(tx, actor.orgId, data.monitorIds as string[]);
      domainChanged = input.customDomain !== undefined && input.customDomain !== before.customDomain;
      if (domainChanged && input.customDomain) await assertDomainFree(tx, actor.orgId, input.customDomain, id);
      const updated = await tx.statusPage.update({ where: { id }, data, select: SELECT });
      await auditInTx(tx, { ...auditBase(actor), action: "status_page.update", targetType: "status_page", targetId: id, details: { changed: Object.keys(input), ...(domainChanged ? { customDomain: input.customDomain ?? null } : {}) } });
      if (!domainChanged) return updated;
      certificateId = await switchDomainInTx(tx, actor, before, input.customDomain ?? null);
      return { ...updated, certificateId };
    }),
  );
  forget();
  // A new slug changes the block's paths too.
  if (domainChanged || (row.customDomain && input.slug !== undefined)) await afterDomainChange(actor, certificateId);
  return withDomain(actor, row);
}

export async function deleteStatusPage(actor: Actor, id: string): Promise<void> {
  assertPermission(actor, "manage:monitor");
  const hadDomain = await withOrg(actor.orgId, async (tx) => {
    const row = await findRow(tx, actor, id);
    if (row.customDomain) await switchDomainInTx(tx, actor, row, null);
    await tx.statusPage.delete({ where: { id } });
    await auditInTx(tx, { ...auditBase(actor), action: "status_page.delete", targetType: "status_page", targetId: id, details: { slug: row.slug } });
    return row.customDomain;
  });
  forget();
  if (hadDomain) await afterDomainChange(actor, null);
}

// ---------------------------------------------------------------------------------------------
// Incident posts and maintenance notices

type PostRow = { id: string; kind: string; title: string; body: string; status: string; startsAt: Date | null; endsAt: Date | null; resolvedAt: Date | null; createdAt: Date; updatedAt: Date };
const POST_SELECT = { id: true, kind: true, title: true, body: true, status: true, startsAt: true, endsAt: true, resolvedAt: true, createdAt: true, updatedAt: true } as const;
const iso = (d: Date | null) => d?.toISOString() ?? null;
const postDto = (r: PostRow): PostDto => ({
  id: r.id,
  kind: r.kind === "maintenance" ? "maintenance" : "incident",
  title: r.title,
  body: r.body,
  status: r.status,
  startsAt: iso(r.startsAt),
  endsAt: iso(r.endsAt),
  resolvedAt: iso(r.resolvedAt),
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});
const CLOSED = new Set(["resolved", "completed"]);

export async function listPosts(actor: Actor, pageId: string): Promise<{ items: PostDto[]; nextCursor: null }> {
  assertPermission(actor, "read:monitor");
  const rows = await withOrg(actor.orgId, async (tx) => {
    await findRow(tx, actor, pageId);
    return tx.statusPagePost.findMany({ where: { pageId }, select: POST_SELECT, orderBy: { createdAt: "desc" }, take: 500 });
  });
  return { items: rows.map(postDto), nextCursor: null };
}

export async function createPost(actor: Actor, pageId: string, input: CreatePostInput): Promise<PostDto> {
  assertPermission(actor, "manage:monitor");
  const row = await withOrg(actor.orgId, async (tx) => {
    await findRow(tx, actor, pageId);
    const created = await tx.statusPagePost.create({
      data: {
        orgId: actor.orgId,
        pageId,
        kind: input.kind,
        title: input.title,
        body: input.body,
        status: input.status,
        startsAt: input.startsAt ? new Date(input.startsAt) : null,
        endsAt: input.endsAt ? new Date(input.endsAt) : null,
        resolvedAt: CLOSED.has(input.status) ? new Date() : null,
      },
      select: POST_SELECT,
    });
    await auditInTx(tx, { ...auditBase(actor), action: "status_page.post_create", targetType: "status_page", targetId: pageId, details: { postId: created.id, kind: input.kind, status: input.status } });
    return created;
  });
  forget();
  return postDto(row);
}

export async function updatePost(actor: Actor, pageId: string, postId: string, input: UpdatePostInput): Promise<PostDto> {
  assertPermission(actor, "manage:monitor");
  if (!/^[0-9a-f-]{36}$/i.test(postId)) throw new NotFoundError("No such post.");
  const row = await withOrg(actor.orgId, async (tx) => {
    await findRow(tx, actor, pageId);
    const post = await tx.statusPagePost.findFirst({ where: { id: postId, pageId }, select: POST_SELECT });
    if (!post) throw new NotFoundError("No such post.");
    const status = input.status ?? post.status;
    const allowed = post.kind === "incident" ? ["investigating", "identified", "monitoring", "resolved"] : ["scheduled", "in_progress", "completed"];
    if (!allowed.includes(status)) throw new ValidationError(`A ${post.kind} is ${allowed.join(", ")}.`, { status: `Use ${allowed.join(", ")}.` });
    const startsAt = input.startsAt !== undefined ? (input.startsAt ? new Date(input.startsAt) : null) : post.startsAt;
    const endsAt = input.endsAt !== undefined ? (input.endsAt ? new Date(input.endsAt) : null) : post.endsAt;
    if (startsAt && endsAt && endsAt <= startsAt) throw new ValidationError("The end must be after the start.", { endsAt: "The end must be after the start." });
    const updated = await tx.statusPagePost.update({
      where: { id: postId },
      data: {
        ...(input.title !== undefined ? { title: input.title } : {}),
        ...(input.body !== undefined ? { body: input.body } : {}),
        status,
        startsAt,
        endsAt,
        resolvedAt: CLOSED.has(status) ? (post.resolvedAt ?? new Date()) : null,
      },
      select: POST_SELECT,
    });
    await auditInTx(tx, { ...auditBase(actor), action: "status_page.post_update", targetType: "status_page", targetId: pageId, details: { postId, status } });
    return updated;
  });
  forget();
  return postDto(row);
}

export async function deletePost(actor: Actor, pageId: string, postId: string): Promise<void> {
  assertPermission(actor, "manage:monitor");
  if (!/^[0-9a-f-]{36}$/i.test(postId)) throw new NotFoundError("No such post.");
  await withOrg(actor.orgId, async (tx) => {
    await findRow(tx, actor, pageId);
    const n = await tx.statusPagePost.deleteMany({ where: { id: postId, pageId } });
    if (n.count === 0) throw new NotFoundError("No such post.");
    await auditInTx(tx, { ...auditBase(actor), action: "status_page.post_delete", targetType: "status_page", targetId: pageId, details: { postId } });
  });
  forget();
}

// ---------------------------------------------------------------------------------------------
// Public reads

async function ownerOf(slug: string): Promise<{ orgId: string; slug: string }> {
  const clean = slug.toLowerCase();
  if (!/^[a-z0-9-]{1,60}$/.test(clean)) throw new NotFoundError("No such status page.");
  const owner = await systemDb().$queryRaw<{ orgId: string }[]>`SELECT "orgId" FROM status_page_org(${clean})`;
  const orgId = owner[0]?.orgId;
  if (!orgId) throw new NotFoundError("No such status page.");
  return { orgId, slug: clean };
}

/** The public view of a page by its slug (no login): 404 for an unknown slug. */
export async function publicStatusPage(slug: string, now = Date.now()): Promise<PublicStatusPage> {
  const hit = cache.get(slug.toLowerCase());
  if (hit && now - hit.at < CACHE_MS) return hit.page;
  const owner = await ownerOf(slug);
  const page = await withOrg(owner.orgId, async (tx) => {
    const row = await tx.statusPage.findFirst({ where: { slug: owner.slug }, select: { id: true, title: true, description: true, monitorIds: true, groups: true, logoUrl: true, logoType: true } });
    if (!row) throw new NotFoundError("No such status page.");
    const monitors = await tx.monitor.findMany({ where: { id: { in: row.monitorIds } }, select: { id: true, name: true, status: true, enabled: true, maintenance: true } });
    const uptime = await uptimeFor(tx, monitors.map((m) => m.id));
    const weekAgo = new Date(now - 7 * 86_400_000);
    const posts = await tx.statusPagePost.findMany({
      where: { pageId: row.id, OR: [{ resolvedAt: null }, { resolvedAt: { gte: weekAgo } }] },
      select: POST_SELECT,
      orderBy: { createdAt: "desc" },
      take: 50,
    });
    const byId = new Map(
      monitors.map((m) => {
        const status: MonitorStatus = !m.enabled ? "paused" : (MONITOR_STATUSES as readonly string[]).includes(m.status) ? (m.status as MonitorStatus) : "pending";
        const shown: PublicMonitor = { name: m.name, status: inMaintenance(windowsOf(m.maintenance), now) ? "maintenance" : status, uptime: uptime.get(m.id) ?? { h24: null, d7: null, d30: null, d90: null } };
        return [m.id, shown] as const;
      }),
    );
    // In the page's order; a deleted monitor simply drops out.
    const pick = (ids: string[]) => ids.map((id) => byId.get(id)).filter((m): m is PublicMonitor => !!m);
    const list = pick(row.monitorIds);
    const groups = groupsOf(row.groups).map((g) => ({ name: g.name, monitors: pick(g.monitorIds) }));
    const grouped = new Set(groupsOf(row.groups).flatMap((g) => g.monitorIds));
    const rest = pick(row.monitorIds.filter((id) => !grouped.has(id)));
    if (rest.length) groups.push({ name: groups.length ? "Other" : "", monitors: rest });
    const openMaintenance = posts.some((p) => p.kind === "maintenance" && p.status === "in_progress");
    return {
      title: row.title,
      description: row.description,
      logoUrl: row.logoType ? `/status/${owner.slug}/logo` : row.logoUrl,
      monitors: list,
      groups: groups.filter((g) => g.monitors.length),
      posts: posts.map(postDto).map(({ id: _id, ...p }) => p),
      overall: list.length === 0 ? "empty" : list.some((m) => m.status === "down") ? "degraded" : list.some((m) => m.status === "maintenance") || openMaintenance ? "maintenance" : "up",
    } satisfies PublicStatusPage;
  });
  if (cache.size > 1000) cache.clear();
  cache.set(owner.slug, { at: now, page });
  return page;
}

/** The uploaded logo of a public page, or 404. */
export async function publicStatusLogo(slug: string): Promise<{ bytes: Uint8Array; type: string }> {
  const owner = await ownerOf(slug);
  const row = await withOrg(owner.orgId, (tx) => tx.statusPage.findFirst({ where: { slug: owner.slug }, select: { logo: true, logoType: true } }));
  if (!row?.logo || !row.logoType) throw new NotFoundError("This page has no uploaded logo.");
  return { bytes: row.logo, type: row.logoType };
}

/** A shields.io "endpoint" badge for a page: https://img.shields.io/endpoint?url=…/badge */
export function badgeOf(page: PublicStatusPage): { schemaVersion: 1; label: string; message: string; color: string } {
  const down = page.monitors.filter((m) => m.status === "down").length;
  const message = page.overall === "empty" ? "no monitors" : down ? `${down} down` : page.overall === "maintenance" ? "maintenance" : "operational";
  const color = down ? "red" : page.overall === "maintenance" ? "blue" : page.overall === "up" ? "brightgreen" : "lightgrey";
  return { schemaVersion: 1, label: page.title.slice(0, 40), message, color };
}
