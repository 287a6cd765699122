// The interface between InfraPilot's server and the nginx an agent drives. Like agent/types.ts,
// everything is plain JSON (no Buffers, no class instances) so a RemoteAgent can carry it over
// Socket.IO RPC unchanged: the server renders a tree (`{ path: content }`), the agent stages,
// tests, swaps and reloads it.

export type NginxTree = Record<string, string>;

export interface NginxApplyRequest {
  /** The complete tree: every file nginx needs. Paths are relative, `nginx.conf` is the entry. */
  files: NginxTree;
  /**
   * Files under this prefix (e.g. `hosts/`) may be isolated: when `nginx -t` names one of them,
   * the agent puts that file's last good version back (or an empty file when it is new) and
   * tests again, so one bad host does not block every other change. Omit to fail the whole apply.
   */
  isolatePrefix?: string;
  /**
   * Always run the full `nginx -t` before the swap. By default a small change to a running
   * nginx tests only the changed files (plus the http level) and lets the reload, which nginx
   * refuses without harm, test the whole tree.
   */
  fullTest?: boolean;
}

export interface NginxRejectedFile {
  path: string;
  /** nginx's own message, with the staging path shortened to the relative one. */
  message: string;
}

export interface NginxApplyResult {
  ok: boolean;
  /** Name of the tree now live (unchanged when the apply failed). */
  generation: string | null;
  /** nginx's output of the failed step, "" on success. */
  output: string;
  /** Isolated files: live with their previous version, their new version was refused. */
  rejected: NginxRejectedFile[];
  /** "quick": minimal-tree test + reload as the full test; "full": `nginx -t` of the whole tree first. */
  testMode?: "quick" | "full";
  /** How many `nginx -t` runs and reloads (or starts) this apply took. */
  tests: number;
  reloads: number;
  /** Whether nginx was started by this apply (it was not running). */
  started: boolean;
  durationMs: number;
  /** Per phase, for the benchmark and the logs. */
  timings: { stageMs: number; testMs: number; swapMs: number; reloadMs: number };
}

/**
 * Reported once, while an apply runs, the moment the new tree is live and nginx was signalled to
 * reload: the change passed the (quick or full) test and nginx is re-reading its configuration.
 * The apply's result follows when nginx confirmed the reload (or refused it, in which case the
 * old configuration keeps serving and the result says why). A cold start reports nothing: its
 * result is already the confirmation. A RemoteAgent carries this as an RPC progress event.
 */
export interface NginxApplyProgress {
  phase: "signalled";
  /** The tree now live. */
  generation: string;
  /** Isolated files (known before the swap): they answer with their error at once. */
  rejected: NginxRejectedFile[];
  tests: number;
  testMode: "quick" | "full";
  /** Since the apply started. */
  durationMs: number;
  timings: NginxApplyResult["timings"];
}

export interface NginxStatus {
  mode: "local" | "container" | "off";
  running: boolean;
  pid: number | null;
  version: string | null;
  generation: string | null;
  confDir: string;
}

export interface ProxyApplier {
  /** Resolves once nginx confirmed (or refused) the new tree; `onProgress` hears about the signal before that. */
  apply(request: NginxApplyRequest, onProgress?: (progress: NginxApplyProgress) => void): Promise<NginxApplyResult>;
  status(): Promise<NginxStatus>;
  /** What keeps hosts from being served (nginx missing, its container missing or not mounted), null when nothing does. */
  problem(): Promise<string | null>;
  /** Runs `nginx -t` on the live tree (the benchmark's baseline; also a health probe). */
  testLive(): Promise<{ ok: boolean; output: string; durationMs: number }>;
  /** HTTP-01: serve `keyAuthorization` at /.well-known/acme-challenge/<token> on every host. */
  putChallenge(token: string, keyAuthorization: string): Promise<void>;
  removeChallenge(token: string): Promise<void>;
  /** Stops nginx if this applier started it or finds it running from its prefix. */
  stop(): Promise<void>;
}

export class NginxApplyError extends Error {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
    this.name = "NginxApplyError";
  }
}
