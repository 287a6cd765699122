// A private rsyslog (Debian's rsyslogd, run in the foreground with its own config) receiving
// syslog on loopback over UDP, TCP and TLS (gtls, a throwaway self-signed certificate for
// localhost/127.0.0.1), each input written to its own file the test reads. `stop()` and `start()`
// restart it on the same ports (the forwarders' "receiver restart"); `close()` removes everything.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createSocket } from "node:dgram";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./postgres";

export interface Rsyslog {
  udpPort: number;
  tcpPort: number;
  tlsPort: number;
  /** The receiver's certificate (PEM): the TLS forwarder's caCertPem. */
  caCertPem: string;
  /** What arrived on one input, line by line (`MSGID STRUCTURED-DATA MSG`). */
  lines(input: "udp" | "tcp" | "tls"): string[];
  start(): Promise<void>;
  stop(): Promise<void>;
  close(): Promise<void>;
}

async function freeUdpPort(): Promise<number> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const port = socket.address().port;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });
}

export async function startRsyslog(): Promise<Rsyslog> {
  const dir = mkdtempSync(join(tmpdir(), "infrapilot-rsyslog-"));
  const [udpPort, tcpPort, tlsPort] = [await freeUdpPort(), await freePort(), await freePort()];
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "2",
    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
  ], { stdio: "ignore" }); // prettier-ignore
  const file = (input: string) => join(dir, `${input}.log`);
  const ruleset = (input: string) => `ruleset(name="${input}") { action(type="omfile" file="${file(input)}" template="line") }`;
  writeFileSync(
    join(dir, "rsyslog.conf"),
    [
      `global(workDirectory="${dir}" maxMessageSize="64k" DefaultNetstreamDriverCAFile="${join(dir, "cert.pem")}" DefaultNetstreamDriverCertFile="${join(dir, "cert.pem")}" DefaultNetstreamDriverKeyFile="${join(dir, "key.pem")}")`,
      `module(load="imudp")`,
      `module(load="imtcp" MaxSessions="200")`,
      `template(name="line" type="string" string="%msgid% %structured-data% %msg%\\n")`,
      ruleset("udp"),
      ruleset("tcp"),
      ruleset("tls"),
      `input(type="imudp" address="127.0.0.1" port="${udpPort}" ruleset="udp")`,
      `input(type="imtcp" address="127.0.0.1" port="${tcpPort}" ruleset="tcp")`,
      `input(type="imtcp" address="127.0.0.1" port="${tlsPort}" ruleset="tls" StreamDriver.Name="gtls" StreamDriver.Mode="1" StreamDriver.AuthMode="anon")`,
    ].join("\n") + "\n",
  );
  let child: ChildProcess | null = null;
  let output = "";

  const start = async () => {
    output = "";
    child = spawn("rsyslogd", ["-n", "-f", join(dir, "rsyslog.conf"), "-i", join(dir, "rsyslogd.pid")], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    const deadline = Date.now() + 30_000;
    while (!((await accepts(tcpPort)) && (await accepts(tlsPort)))) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`rsyslogd did not start: ${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const stop = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((resolve) => c.once("exit", resolve));
    c.kill("SIGTERM");
    await exited;
  };
  await start();
  return {
    udpPort,
    tcpPort,
    tlsPort,
    caCertPem: readFileSync(join(dir, "cert.pem"), "utf8"),
    lines: (input) => (existsSync(file(input)) ? readFileSync(file(input), "utf8").split("\n").filter(Boolean) : []),
    start,
    stop,
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
