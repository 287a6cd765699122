// A real OpenLDAP directory for tests: Debian's `slapd` on loopback ports (LDAPS, and plain LDAP
// for StartTLS), with its own temporary config, a CA and server certificate made here with
// openssl, the memberof overlay, and users and groups added online with `ldapadd`. Stopped by the
// pid it writes, on every way out (a start that fails part-way included).
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./postgres";

const run = promisify(execFile);

export const LDAP_BASE = "dc=example,dc=com";
export const LDAP_ROOT = { dn: `cn=admin,${LDAP_BASE}`, password: "root-secret-of-the-test" };
export const LDAP_READER = { dn: `cn=reader,${LDAP_BASE}`, password: "reader-secret-of-the-test" };

export interface TestSlapd {
  ldapsUrl: string;
  ldapUrl: string;
  /** PEM of the CA that signed the server's certificate. */
  caPem: string;
  /** Another CA's PEM (a certificate check must fail with it). */
  otherCaPem: string;
  /** Runs ldapadd / ldapmodify / ldapdelete as the directory's root. */
  ldap(tool: "ldapadd" | "ldapmodify" | "ldapdelete", input: string): Promise<void>;
  stop(): Promise<void>;
}

/** A CA, the server's certificate for 127.0.0.1 signed by it, and an unrelated second CA. */
async function pki(dir: string): Promise<void> {
  const f = (n: string) => join(dir, n);
  writeFileSync(f("leaf.ext"), "basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  const ssl = (...args: string[]) => run("openssl", args);
  const newKey = ["-newkey", "rsa:2048", "-nodes"];
  for (const ca of ["ca", "other-ca"]) {
    await ssl("req", "-x509", ...newKey, "-keyout", f(`${ca}.key`), "-out", f(`${ca}.pem`), "-days", "2", "-subj", `/CN=InfraPilot LDAP test ${ca}`, "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
  }
  await ssl("req", "-new", ...newKey, "-keyout", f("server.key"), "-out", f("server.csr"), "-subj", "/CN=127.0.0.1");
  await ssl("x509", "-req", "-in", f("server.csr"), "-CA", f("ca.pem"), "-CAkey", f("ca.key"), "-CAcreateserial", "-out", f("server.pem"), "-days", "2", "-extfile", f("leaf.ext"));
}

function waitForPort(port: number, deadlineMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve();
      });
      socket.once("error", () => {
        socket.destroy();
        if (Date.now() > deadlineMs) reject(new Error(`slapd did not listen on ${port}`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startSlapd(seedLdif: string): Promise<TestSlapd> {
  const dir = mkdtempSync(join(tmpdir(), "infrapilot-slapd-"));
  const pidFile = join(dir, "slapd.pid");
  const stop = async () => {
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, "utf8").trim());
      if (pid > 0 && pidAlive(pid)) {
        process.kill(pid, "SIGTERM");
        const deadline = Date.now() + 15_000;
        while (pidAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        if (pidAlive(pid)) process.kill(pid, "SIGKILL");
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await pki(dir);
    mkdirSync(join(dir, "data"));
    const { stdout: rootHash } = await run("slappasswd", ["-s", LDAP_ROOT.password]);
    writeFileSync(
      join(dir, "slapd.conf"),
      [
        "include /etc/ldap/schema/core.schema",
        "include /etc/ldap/schema/cosine.schema",
        "include /etc/ldap/schema/inetorgperson.schema",
        "modulepath /usr/lib/ldap",
        "moduleload back_mdb",
        "moduleload memberof",
        `pidfile ${pidFile}`,
        `argsfile ${join(dir, "slapd.args")}`,
        `TLSCACertificateFile ${join(dir, "ca.pem")}`,
        `TLSCertificateFile ${join(dir, "server.pem")}`,
        `TLSCertificateKeyFile ${join(dir, "server.key")}`,
        // Like some real directories: a DN with an empty password is an *unauthenticated* bind
        // that succeeds (RFC 4513 §5.1.2). InfraPilot must never count it as a login.
        "allow bind_anon_dn",
        "database mdb",
        `suffix "${LDAP_BASE}"`,
        `rootdn "${LDAP_ROOT.dn}"`,
        `rootpw ${rootHash.trim()}`,
        `directory ${join(dir, "data")}`,
        "maxsize 10485760",
        "overlay memberof",
        "access to attrs=userPassword by self write by anonymous auth by * none",
        "access to * by users read by * none",
        "",
      ].join("\n"),
    );
    const [ldapsPort, ldapPort] = [await freePort(), await freePort()];
    await run("slapd", ["-f", join(dir, "slapd.conf"), "-h", `ldaps://127.0.0.1:${ldapsPort}/ ldap://127.0.0.1:${ldapPort}/`]);
    await waitForPort(ldapsPort, Date.now() + 20_000);
    const caPem = readFileSync(join(dir, "ca.pem"), "utf8");
    const ldapsUrl = `ldaps://127.0.0.1:${ldapsPort}`;
    const ldap = async (tool: "ldapadd" | "ldapmodify" | "ldapdelete", input: string) => {
      const file = join(dir, `input-${Date.now()}-${Math.random().toString(36).slice(2)}.ldif`);
      writeFileSync(file, input);
      await run(tool, ["-H", ldapsUrl, "-x", "-D", LDAP_ROOT.dn, "-w", LDAP_ROOT.password, "-f", file], { env: { ...process.env, LDAPTLS_CACERT: join(dir, "ca.pem") } });
    };
    const { stdout: readerHash } = await run("slappasswd", ["-s", LDAP_READER.password]);
    await ldap(
      "ldapadd",
      `dn: ${LDAP_BASE}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example\n\n` +
        `dn: ${LDAP_READER.dn}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: reader\nuserPassword: ${readerHash.trim()}\n\n` +
        `dn: ou=people,${LDAP_BASE}\nobjectClass: organizationalUnit\nou: people\n\n` +
        `dn: ou=groups,${LDAP_BASE}\nobjectClass: organizationalUnit\nou: groups\n`,
    );
    await ldap("ldapadd", seedLdif);
    return { ldapsUrl, ldapUrl: `ldap://127.0.0.1:${ldapPort}`, caPem, otherCaPem: readFileSync(join(dir, "other-ca.pem"), "utf8"), ldap, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** LDIF of a person under ou=people with a password hashed by slappasswd. */
export async function personLdif(uid: string, attrs: { cn: string; mail: string; password: string }): Promise<string> {
  const { stdout } = await run("slappasswd", ["-s", attrs.password]);
  return `dn: uid=${uid},ou=people,${LDAP_BASE}\nobjectClass: inetOrgPerson\nuid: ${uid}\ncn: ${attrs.cn}\nsn: ${attrs.cn.split(" ").pop()}\nmail: ${attrs.mail}\nuserPassword: ${stdout.trim()}\n`;
}

export function groupLdif(cn: string, memberUids: string[]): string {
  return `dn: cn=${cn},ou=groups,${LDAP_BASE}\nobjectClass: groupOfNames\ncn: ${cn}\n${memberUids.map((u) => `member: uid=${u},ou=people,${LDAP_BASE}`).join("\n")}\n`;
}
