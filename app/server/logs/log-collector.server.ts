// Follows the logs of every running container of one agent into the store: one keeper per
// container on the live hub's follow (the same Docker stream live viewers share), started from the
// container list and the agent's event stream, each resuming just
// after the last line already stored (or pushed) for that container, so a restart of InfraPilot
// or of the container neither loses nor repeats lines. Reading pauses while the writer's buffer
// is full (back-pressure reaches the Docker stream), e.g. while the database is down.
import type { Agent, ContainerSummary } from "#agent/types";
import { appPool, withOrgClient, type Queryable } from "../db/pg-pool.server";
import { logger } from "../logger.server";
import { keepFollowing } from "./live-hub.server";
import { LogWriter, toMicrosIso, type StoredLogInput } from "./log-writer.server";
import { DEFAULT_RETENTION_DAYS, RETENTION_KEY } from "./log-retention.server";

export interface LogCollectorOptions {
  orgId: string;
  /** The agent's row id (what `source.agentId` carries). */
  agentId: string;
  pool?: Queryable;
  writer?: LogWriter;
}

export interface LogCollector {
  /** Ids of the containers followed right now. */
  following(): string[];
  writer: LogWriter;
  /** Stops following and writes what is buffered. */
  stop(): Promise<void>;
}

/** The newest line of a container we know of, and the messages at exactly that microsecond. */
interface Position {
  time: string;
  messages: Map<string, number>;
}

const START_ACTIONS = new Set(["start", "restart", "unpause"]);

export function startLogCollector(agent: Agent, options: LogCollectorOptions): LogCollector {
  const pool = options.pool ?? appPool();
  const writer = options.writer ?? new LogWriter(options.orgId, { pool });
  const controller = new AbortController();
  const follows = new Map<string, { abort: AbortController; done: Promise<void> }>();
  const positions = new Map<string, Position>();
  const tasks: Promise<void>[] = [];

  function follow(container: Pick<ContainerSummary, "id" | "name" | "stack">): void {
    if (controller.signal.aborted || follows.has(container.id)) return;
    const abort = new AbortController();
    const onStop = () => abort.abort();
    controller.signal.addEventListener("abort", onStop, { once: true });
    const done = followOne(container, abort.signal)
      .catch((error) => {
        if (!abort.signal.aborted) logger.warn("container log follow ended with an error", { containerId: container.id, error: String(error) });
      })
      .finally(() => {
        controller.signal.removeEventListener("abort", onStop);
        follows.delete(container.id);
      });
    follows.set(container.id, { abort, done });
  }

  async function followOne(container: Pick<ContainerSummary, "id" | "name" | "stack">, signal: AbortSignal): Promise<void> {
    const known = positions.get(container.id) ?? (await storedPosition(pool, options.orgId, container.id));
    if (signal.aborted) return;
    // What to skip: a copy, consumed as lines at the resume point come by again.
    let resume = known ? { time: known.time, messages: new Map(known.messages) } : null;
    const since = resume ? new Date(resume.time) : new Date(Date.now() - (await retentionDays(pool, options.orgId)) * 86_400_000);
    if (signal.aborted) return;
    const source = { agentId: options.agentId, containerId: container.id, containerName: container.name.replace(/^\//, "") };
    // The container's one Docker follow is the live hub's, shared with whoever watches it live;
    // this keeper holds it back while the writer's buffer is full.
    await new Promise<void>((resolve, reject) => {
      const leave = keepFollowing(agent, source, {
        since,
        async lines(batch) {
          const lines: StoredLogInput[] = [];
          for (const entry of batch) {
            const time = entry.time ? toMicrosIso(entry.time) : toMicrosIso(new Date().toISOString());
            if (resume && alreadyStored(resume, time, entry.message)) continue;
            lines.push({ ...source, time, stack: container.stack, proxyHostId: null, stream: entry.stream, level: entry.level, message: entry.message });
            advance(positions, container.id, time, entry.message);
          }
          if (lines.length > 0) await writer.push(lines);
        },
        rewound() {
          // The follow starts over from an earlier point: skip what was already pushed.
          const p = positions.get(container.id);
          if (p) resume = { time: p.time, messages: new Map(p.messages) };
        },
        end(reason) {
          signal.removeEventListener("abort", onAbort);
          if (reason === null) resolve();
          else reject(new Error(reason));
        },
      });
      const onAbort = () => {
        leave();
        resolve();
      };
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  async function watch(): Promise<void> {
    let backoff = 500;
    while (!controller.signal.aborted) {
      try {
        const events = agent.events(controller.signal)[Symbol.asyncIterator]();
        // Subscribe first, then list: a container started in between is seen either way.
        const first = events.next();
        // If the list fails, `first` fails too (same engine); it must not become an unhandled rejection.
        first.catch(() => {});
        for (const c of await agent.listContainers()) if (c.state === "running") follow(c);
        backoff = 500;
        for (let next = await first; !next.done; next = await events.next()) {
          const event = next.value;
          if (START_ACTIONS.has(event.action)) follow({ id: event.id, name: event.name ?? event.id.slice(0, 12), stack: event.stack });
          else if (event.action === "destroy") {
            follows.get(event.id)?.abort.abort();
            positions.delete(event.id);
          }
        }
      } catch (error) {
        if (controller.signal.aborted) return;
        logger.warn("container events unavailable; retrying", { error: String(error) });
      }
      if (controller.signal.aborted) return;
      await new Promise((r) => setTimeout(r, backoff).unref());
      backoff = Math.min(backoff * 2, 10_000);
    }
  }

  tasks.push(watch());

  return {
    writer,
    following: () => [...follows.keys()],
    async stop() {
      controller.abort();
      await Promise.allSettled([...tasks, ...[...follows.values()].map((f) => f.done)]);
      if (!options.writer) await writer.close();
    },
  };
}

function alreadyStored(resume: Position, time: string, message: string): boolean {
  if (time < resume.time) return true;
  if (time > resume.time) return false;
  const left = resume.messages.get(message) ?? 0;
  if (left === 0) return false;
  resume.messages.set(message, left - 1);
  return true;
}

function advance(positions: Map<string, Position>, id: string, time: string, message: string): void {
  let p = positions.get(id);
  if (!p || time > p.time) {
    p = { time, messages: new Map() };
    positions.set(id, p);
  }
  if (time === p.time) p.messages.set(message, (p.messages.get(message) ?? 0) + 1);
}

async function storedPosition(pool: Queryable, orgId: string, containerId: string): Promise<Position | null> {
  const rows = await withOrgClient(
    orgId,
    async (client) =>
      (
        await client.query<{ time: string; message: string }>(
          `WITH last AS (SELECT max("time") AS t FROM "LogLine" WHERE "orgId" = $1 AND "containerId" = $2)
           SELECT to_char(l."time" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "time", l."message"
             FROM "LogLine" l, last WHERE l."orgId" = $1 AND l."containerId" = $2 AND l."time" = last.t`,
          [orgId, containerId],
        )
      ).rows,
    pool,
  );
  if (rows.length === 0) return null;
  const messages = new Map<string, number>();
  for (const r of rows) messages.set(r.message, (messages.get(r.message) ?? 0) + 1);
  return { time: rows[0]!.time, messages };
}

async function retentionDays(pool: Queryable, orgId: string): Promise<number> {
  const rows = await withOrgClient(orgId, async (client) => (await client.query<{ value: unknown }>(`SELECT "value" FROM "Setting" WHERE "orgId" = $1 AND "key" = $2`, [orgId, RETENTION_KEY])).rows, pool);
  const value = rows[0]?.value;
  return typeof value === "number" && value > 0 ? value : DEFAULT_RETENTION_DAYS;
}
