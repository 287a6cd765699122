// Server side of the apply pipeline: read an agent's hosts from the database, render the whole
// tree (pure), hand it to the agent's applier, and record the outcome on every host and on the
// agent's ProxyApplyState. Applies per agent are serialized and bursts coalesce: a request made
// while an apply runs joins the single next run, which reads the database when it starts, so it
// includes every change committed before the request.
//
// Two moments of one run: `accepted` (the change passed nginx's test, the new tree is live and
// nginx was signalled to reload; hosts stay "pending", isolated hosts already show their error)
// and `done` (nginx confirmed the reload or refused it; statuses are ok/error). The UI answers a
// save at `accepted` and shows pending → ok live; the REST API waits for `done` unless
// `?wait=false`. A request that joins a queued run gets that run's two moments.
import type { AgentHost, NginxRenderFacts } from "#agent/host";
import type { NginxApplyProgress, NginxApplyResult } from "#agent/nginx/types";
import { hostFor } from "../agents/registry.server";
import { withOrg, type Tx } from "../db/client.server";
import { logger } from "../logger.server";
import { singleton } from "../singleton.server";
import { unseal } from "../crypto.server";
import { hostFile, renderTree, RenderError, type RenderAccessList, type RenderCertificate, type RenderHost, type RenderSettings } from "./render";
import type { StoredHostConfig } from "./dto.server";
import { defaultSiteFor } from "./settings.server";
import { applierOf } from "./appliers.server";
import { statusPagesUpstream } from "../monitors/status-upstream.server";

export interface ApplyOutcome {
  ok: boolean;
  /** False at `accepted`: nginx was signalled and has not confirmed yet (the hosts are "pending"). */
  confirmed: boolean;
  message: string | null;
  generation: string | null;
  rejectedHostIds: string[];
  tests: number;
  reloads: number;
  /** quick: only the changed files were tested before the reload (which tests the whole tree). */
  testMode: "quick" | "full" | null;
  durationMs: number;
  timings: NginxApplyResult["timings"] & { loadMs: number; renderMs: number; recordMs: number };
}

interface Deferred {
  promise: Promise<ApplyOutcome>;
  resolve: (o: ApplyOutcome) => void;
  reject: (e: unknown) => void;
}

/** The two moments of one apply run (see the top of this file). */
export interface ApplyHandle {
  accepted: Promise<ApplyOutcome>;
  done: Promise<ApplyOutcome>;
}

interface Run {
  accepted: Deferred;
  done: Deferred;
  handle: ApplyHandle;
}

interface Slot {
  running: boolean;
  queued: Run | null;
}

const slots = singleton("proxy:apply-slots", () => new Map<string, Slot>());

function deferred(): Deferred {
  let resolve!: (o: ApplyOutcome) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<ApplyOutcome>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * Applies the agent's current database state in a run that starts after this call (joining the
 * queued run if there is one). `accepted` resolves when nginx was signalled with the new tree (or
 * with the final outcome when the run failed before that, or started nginx cold); `done` when
 * the run is confirmed. Runs per agent never overlap: the next one starts after `done`.
 */
export function startApply(orgId: string, agentId: string): ApplyHandle {
  const key = `${orgId}:${agentId}`;
  let slot = slots.get(key);
  if (!slot) slots.set(key, (slot = { running: false, queued: null }));
  if (slot.queued) return slot.queued.handle;
  const accepted = deferred();
  const done = deferred();
  // Nobody may be listening for `accepted` (callers that wait for `done`): never unhandled.
  accepted.promise.catch(() => {});
  const run: Run = (slot.queued = { accepted, done, handle: { accepted: accepted.promise, done: done.promise } });
  // Started on the next turn so that calls made in the same tick share one run.
  if (!slot.running) setImmediate(() => startNext(key));
  return run.handle;
}

/** Applies the agent's current database state; resolves when a run that started after this call is confirmed. */
export function requestApply(orgId: string, agentId: string): Promise<ApplyOutcome> {
  return startApply(orgId, agentId).done;
}

function startNext(key: string): void {
  const slot = slots.get(key)!;
  if (slot.running || !slot.queued) return;
  const run = slot.queued;
  slot.queued = null;
  slot.running = true;
  const [orgId, agentId] = key.split(":") as [string, string];
  applyNow(orgId, agentId, run.accepted.resolve)
    .then(
      (outcome) => {
        run.accepted.resolve(outcome); // no-op when already accepted
        run.done.resolve(outcome);
      },
      (error: unknown) => {
        run.accepted.reject(error);
        run.done.reject(error);
      },
    )
    .finally(() => {
      slot.running = false;
      if (slot.queued) startNext(key);
    });
}

/**
 * Settings of the rendered tree: listen address, ports, resolver and user are the agent's own
 * facts (never this process's environment), the default site comes from the agent's
 * ProxySettings row (read in the apply's snapshot transaction; 404 when unset).
 */
export function renderSettings(nginx: NginxRenderFacts, defaultSite: RenderSettings["defaultSite"]): RenderSettings {
  return {
    listenAddress: nginx.listenAddress,
    httpPort: nginx.httpPort,
    httpsPort: nginx.httpsPort,
    resolver: nginx.resolver,
    user: nginx.user,
    defaultSite,
  };
}

async function applyNow(orgId: string, agentId: string, onAccepted: (outcome: ApplyOutcome) => void): Promise<ApplyOutcome> {
  const t0 = performance.now();
  // Rows changed after this instant are not in this apply: their own queued apply records them.
  const snapshotAt = new Date();
  const snapshot = await withOrg(orgId, async (tx) => {
    const hosts = await tx.proxyHost.findMany({ where: { agentId }, select: { id: true, kind: true, domains: true, enabled: true, config: true, advanced: true, accessListId: true, certificateId: true } });
    const listIds = [...new Set(hosts.map((h) => h.accessListId).filter((x): x is string => Boolean(x)))];
    // Status pages on custom domains are served by the built-in agent's nginx, beside the control plane (decision 140).
    const agentRow = await tx.agent.findFirst({ where: { id: agentId }, select: { kind: true } });
    const statusPages = agentRow?.kind === "local" ? await tx.statusPage.findMany({ where: { customDomain: { not: null } }, select: { id: true, slug: true, customDomain: true, certificateId: true } }) : [];
    const certIds = [...new Set([...hosts.map((h) => h.certificateId), ...statusPages.map((p) => p.certificateId)].filter((x): x is string => Boolean(x)))];
    const lists = listIds.length ? await tx.accessList.findMany({ where: { id: { in: listIds } }, select: { id: true, satisfy: true, users: true, rules: true } }) : [];
    const certs = certIds.length
      ? await tx.certificate.findMany({ where: { id: { in: certIds }, status: "issued", certificatePem: { not: null }, keySealed: { not: null } }, select: { id: true, certificatePem: true, keySealed: true } })
      : [];
    return { hosts, lists, certs, statusPages, defaultSite: await defaultSiteFor(tx, agentId) };
  });
  const loadMs = performance.now() - t0;

  let host: AgentHost;
  let nginx: NginxRenderFacts;
  try {
    host = await hostFor({ orgId }, agentId);
    nginx = (await host.facts()).nginx;
  } catch (error) {
    return record(orgId, agentId, snapshotAt, snapshot.hosts.map((h) => h.id), null, `The agent could not apply the configuration: ${error instanceof Error ? error.message : String(error)}`, t0, { loadMs, renderMs: 0 });
  }

  let t = performance.now();
  const renderHosts: RenderHost[] = snapshot.hosts.map((h) => toRenderHost(h.id, h.kind, h.domains, h.enabled, h.config as unknown as StoredHostConfig, h.advanced, h.accessListId, h.certificateId));
  const accessLists: RenderAccessList[] = snapshot.lists.map((l) => ({
    id: l.id,
    satisfy: l.satisfy === "any" ? "any" : "all",
    users: (l.users as { username: string; hash: string }[]).map((u) => ({ username: u.username, hash: u.hash })),
    rules: l.rules as RenderAccessList["rules"],
  }));
  const certificates: RenderCertificate[] = snapshot.certs.map((c) => ({ id: c.id, certificatePem: c.certificatePem!, keyPem: unseal(c.keySealed!) }));
  let files: Record<string, string>;
  try {
    const upstream = statusPagesUpstream();
    const statusSites = snapshot.statusPages.map((p) => ({ pageId: p.id, domain: p.customDomain!, slug: p.slug, certificateId: p.certificateId, upstream }));
    files = renderTree({ settings: renderSettings(nginx, snapshot.defaultSite), hosts: renderHosts, accessLists, certificates, statusSites });
  } catch (error) {
    const message = error instanceof RenderError ? error.message : String(error);
    return record(orgId, agentId, snapshotAt, snapshot.hosts.map((h) => h.id), null, message, t0, { loadMs, renderMs: performance.now() - t });
  }
  const renderMs = performance.now() - t;

  const hostIds = snapshot.hosts.map((h) => h.id);
  // At the signal: hosts isolated by the test answer with their error now, the others stay
  // "pending" until the confirmation below records them.
  let acceptedWrite: Promise<unknown> = Promise.resolve();
  const onProgress = (progress: NginxApplyProgress) => {
    acceptedWrite = recordAccepted(orgId, agentId, hostIds, progress, t0, { loadMs, renderMs })
      .then(onAccepted)
      .catch((error: unknown) => logger.error("recording an accepted nginx apply failed", { agentId, error }));
  };

  let result: NginxApplyResult;
  try {
    result = await applierOf(host).apply({ files, isolatePrefix: "hosts/" }, onProgress);
  } catch (error) {
    logger.error("nginx apply crashed", { agentId, error });
    await acceptedWrite;
    return record(orgId, agentId, snapshotAt, hostIds, null, `The agent could not apply the configuration: ${error instanceof Error ? error.message : String(error)}`, t0, { loadMs, renderMs });
  }
  await acceptedWrite;
  t = performance.now();
  return record(orgId, agentId, snapshotAt, snapshot.hosts.map((h) => h.id), result, result.ok ? null : result.output || "nginx refused the configuration.", t0, { loadMs, renderMs }, t);
}

async function recordAccepted(orgId: string, agentId: string, hostIds: string[], progress: NginxApplyProgress, t0: number, timings: { loadMs: number; renderMs: number }): Promise<ApplyOutcome> {
  const t = performance.now();
  const rejectedHostIds = await recordRejected(orgId, agentId, hostIds, progress.rejected);
  return {
    ok: true,
    confirmed: false,
    message: null,
    generation: progress.generation,
    rejectedHostIds,
    tests: progress.tests,
    reloads: 1,
    testMode: progress.testMode,
    durationMs: performance.now() - t0,
    timings: { ...progress.timings, ...timings, recordMs: performance.now() - t },
  };
}

/** Hosts whose file nginx refused (isolated: their previous configuration keeps serving) → error. */
async function recordRejected(orgId: string, agentId: string, hostIds: string[], rejected: NginxApplyResult["rejected"], tx?: Tx): Promise<string[]> {
  const byPath = new Map(rejected.map((r) => [r.path, r.message]));
  const ids = hostIds.filter((id) => byPath.has(hostFile(id)));
  if (!ids.length) return ids;
  const write = async (t: Tx) => {
    for (const id of ids) {
      await t.proxyHost.updateMany({ where: { id, agentId }, data: { status: "error", statusMessage: `nginx refused this host; its previous configuration (if any) keeps serving.\n${byPath.get(hostFile(id))}`.slice(0, 4000) } });
    }
  };
  if (tx) await write(tx);
  else await withOrg(orgId, write);
  return ids;
}

async function record(
  orgId: string,
  agentId: string,
  snapshotAt: Date,
  hostIds: string[],
  result: NginxApplyResult | null,
  failure: string | null,
  t0: number,
  timings: { loadMs: number; renderMs: number },
  recordStart = performance.now(),
): Promise<ApplyOutcome> {
  const rejected = new Set((result?.rejected ?? []).map((r) => r.path));
  let rejectedHostIds = hostIds.filter((id) => rejected.has(hostFile(id)));
  const now = new Date();
  await withOrg(orgId, async (tx) => {
    if (failure) {
      // The previous tree keeps serving; the hosts waiting for this apply show why they are not live.
      await tx.proxyHost.updateMany({ where: { agentId, updatedAt: { lte: snapshotAt }, status: { not: "ok" } }, data: { status: "error", statusMessage: failure.slice(0, 4000) } });
    } else {
      await tx.proxyHost.updateMany({
        where: { agentId, updatedAt: { lte: snapshotAt }, ...(rejectedHostIds.length ? { id: { notIn: rejectedHostIds } } : {}), NOT: { status: "ok", appliedAt: { not: null } } },
        data: { status: "ok", statusMessage: null, appliedAt: now },
      });
      rejectedHostIds = await recordRejected(orgId, agentId, hostIds, result?.rejected ?? [], tx);
    }
    const state = { state: failure ? "error" : "ok", message: failure?.slice(0, 4000) ?? null, generation: result?.generation ?? null, appliedAt: failure ? undefined : now };
    await tx.proxyApplyState.upsert({ where: { agentId }, create: { agentId, orgId, ...state }, update: state });
  });
  const base = { stageMs: 0, testMs: 0, swapMs: 0, reloadMs: 0 };
  return {
    ok: !failure,
    confirmed: true,
    message: failure,
    generation: result?.generation ?? null,
    rejectedHostIds,
    tests: result?.tests ?? 0,
    reloads: result?.reloads ?? 0,
    testMode: result?.testMode ?? null,
    durationMs: performance.now() - t0,
    timings: { ...(result?.timings ?? base), ...timings, recordMs: performance.now() - recordStart },
  };
}

function toRenderHost(
  id: string,
  kind: string,
  domains: string[],
  enabled: boolean,
  c: StoredHostConfig,
  advanced: string,
  accessListId: string | null,
  certificateId: string | null,
): RenderHost {
  const base = { id, domains, enabled, http2: c.http2, tls: { ...c.tls, certificateId }, headers: c.headers, advanced };
  if (kind === "redirect" && c.redirect) return { ...base, kind: "redirect", redirect: c.redirect };
  const u = c.upstream!;
  // A container target is reached by its name on a shared Docker network (container mode);
  // local mode with published ports uses scheme/host/port targets.
  const upstream = "containerId" in u ? { scheme: "http" as const, host: u.containerId, port: u.port } : u;
  return {
    ...base,
    kind: "proxy",
    upstream,
    websockets: c.websockets,
    blockExploits: c.blockExploits,
    gzip: c.gzip,
    clientMaxBodySizeMb: c.clientMaxBodySizeMb,
    rateLimit: c.rateLimit,
    accessListId,
  };
}
