// Network checks that must run where the agent runs, not on the control plane: whether an upstream
// answers is a question about the agent's network, and the ACME pre-flight asks the agent's nginx
// the way the CA will. On a remote node these travel as RPC calls; the answers are plain JSON.
import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { runDnsCheck } from "./checks/dns-check";
import { runHttpCheck } from "./checks/http-check";
import type { CheckResult, DnsCheckSpec, HttpCheckSpec } from "./checks/types";

export interface TcpProbeResult {
  ok: boolean;
  /** "reachable", "connection refused", "no answer within 1500 ms", … */
  message: string;
  ms: number;
}

/** nginx's answer to a challenge URL, or why there was none (e.g. `ECONNREFUSED`). */
/** `location` is the redirect target when nginx answered with one; the body is cut at 4 KiB. */
export type ChallengeProbeResult = { status: number; body: string; location: string | null } | { error: string };

export interface AgentProbes {
  /** Opens (and closes at once) a TCP connection to each target; nothing is sent. */
  tcp(targets: { host: string; port: number }[], timeoutMs: number): Promise<TcpProbeResult[]>;
  /** GET /.well-known/acme-challenge/<token> from this agent's nginx with `Host: <domain>`, on its HTTP port. */
  challenge(domain: string, token: string): Promise<ChallengeProbeResult>;
  /** An uptime monitor's HTTP(S) check from this agent's network (docs/decisions/141); never rejects for a failed check. */
  http(spec: HttpCheckSpec): Promise<CheckResult>;
  /** An uptime monitor's DNS check from this agent's network, with its resolvers unless `spec.server`. */
  dns(spec: DnsCheckSpec): Promise<CheckResult>;
}

export interface LocalProbesOptions {
  /** Where this agent's nginx listens for plain HTTP. */
  nginxListenAddress: string;
  nginxHttpPort: number;
}

export class LocalProbes implements AgentProbes {
  constructor(private readonly options: LocalProbesOptions) {}

  tcp(targets: { host: string; port: number }[], timeoutMs: number): Promise<TcpProbeResult[]> {
    return Promise.all(targets.map((t) => probeTcp(t.host, t.port, timeoutMs)));
  }

  http(spec: HttpCheckSpec): Promise<CheckResult> {
    return runHttpCheck(spec);
  }

  dns(spec: DnsCheckSpec): Promise<CheckResult> {
    return runDnsCheck(spec);
  }

  challenge(domain: string, token: string): Promise<ChallengeProbeResult> {
    const listen = this.options.nginxListenAddress;
    // A wildcard listen is reached on the loopback of the same family.
    const host = listen === "0.0.0.0" ? "127.0.0.1" : listen === "::" ? "::1" : listen;
    return new Promise((resolve) => {
      const req = httpRequest({ host, port: this.options.nginxHttpPort, path: `/.well-known/acme-challenge/${token}`, headers: { Host: domain }, timeout: 5000, agent: false }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (body = (body + d).slice(0, 4096)));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, location: res.headers.location ?? null }));
      });
      req.on("timeout", () => req.destroy(new Error("timed out")));
      req.on("error", (err) => resolve({ error: (err as NodeJS.ErrnoException).code ?? err.message }));
      req.end();
    });
  }
}

function probeTcp(host: string, port: number, timeoutMs: number): Promise<TcpProbeResult> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (ok: boolean, message: string) => {
      socket.destroy();
      resolve({ ok, message, ms: Math.round(performance.now() - t0) });
    };
    socket.once("connect", () => done(true, "reachable"));
    socket.once("timeout", () => done(false, `no answer within ${timeoutMs} ms`));
    socket.once("error", (e: NodeJS.ErrnoException) => done(false, e.code === "ECONNREFUSED" ? "connection refused" : e.code === "ENOTFOUND" ? "name does not resolve" : (e.code ?? e.message)));
  });
}
