// The agent-side source of nginx's per-host logs. The control plane never opens nginx's files: it
// asks the agent that drives the nginx to follow them (ProxyLogSource.follow) and receives plain
// JSON batches of records with their offsets. PrefixLogSource is the implementation next to the
// nginx prefix (the built-in agent today, `agent/main.ts` on a node later); a RemoteAgent carries
// the same calls as a flow: the next batch is read only after `onBatch` resolved, which is the
// flow's credit, and `include` may then be applied on the control plane's side.
import { join } from "node:path";
import { ProxyLogTailer, SERVER_NAMES_FILE, type ProxyLogOffsets, type ProxyLogTailOptions } from "./log-tail";

/** What the control plane chooses; where the files are is the agent's business. */
export type ProxyLogFollowOptions = Omit<ProxyLogTailOptions, "dir" | "serverNamesFile">;

export interface ProxyLogFollower {
  /** Current offsets of every followed file (plain JSON). */
  offsets(): ProxyLogOffsets;
  /** Runs one read now and resolves when its batch was handled (tests, shutdown). */
  pollNow(): Promise<void>;
  stop(): Promise<void>;
}

export interface ProxyLogSource {
  /** Follows the per-host access logs and the hosts' shared error log (started at once). */
  follow(options: ProxyLogFollowOptions): ProxyLogFollower;
}

/** Under the nginx prefix: the per-host logs, and the live tree's server name → host id map. */
export const PREFIX_HOST_LOGS_DIR = join("logs", "hosts");
export const PREFIX_SERVER_NAMES = join("live", SERVER_NAMES_FILE);

/** The logs of an nginx whose prefix this process can read (local mode). */
export class PrefixLogSource implements ProxyLogSource {
  constructor(readonly prefix: string) {}

  follow(options: ProxyLogFollowOptions): ProxyLogFollower {
    return new ProxyLogTailer({ ...options, dir: join(this.prefix, PREFIX_HOST_LOGS_DIR), serverNamesFile: join(this.prefix, PREFIX_SERVER_NAMES) }).start();
  }
}
