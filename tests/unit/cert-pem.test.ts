// Uploaded certificates are checked with node:crypto and refused in plain words.
import { describe, expect, test } from "vitest";
import { checkUpload, covers, splitCertificates } from "~/server/certs/pem";
import { isDue, retryDelayMs } from "~/server/certs/renewal";
import { X509Certificate } from "node:crypto";
import { makeChain } from "../setup/cert-chain";

const pki = makeChain(["app.test", "*.app.test"]);
const now = new Date();
const good = { certificatePem: pki.leaf + pki.intermediate, keyPem: pki.leafKey, domains: ["app.test"], now };

describe("an uploaded certificate", () => {
  test("with its key, in order, valid and covering the domains is accepted", () => {
    const r = checkUpload({ ...good, domains: ["app.test", "www.app.test", "*.app.test"] });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.info.issuer).toBe("InfraPilot Test Intermediate");
    expect(r.info.names).toEqual(["app.test", "*.app.test"]);
    expect(splitCertificates(r.certificatePem)).toHaveLength(2);
    expect(r.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  test("with a key of another certificate is refused on the key field", () => {
    const r = checkUpload({ ...good, keyPem: pki.otherKey });
    expect(r).toEqual({ ok: false, fields: { keyPem: "This private key does not belong to the certificate (the first one in the chain)." } });
  });

  test("with the chain reversed says the order is wrong", () => {
    const r = checkUpload({ ...good, certificatePem: pki.intermediate + pki.leaf });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.fields.certificatePem).toMatch(/out of order/);
  });

  test("with an intermediate that did not issue it is refused", () => {
    const r = checkUpload({ ...good, certificatePem: pki.leaf + pki.root });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.fields.certificatePem).toMatch(/did not issue certificate 1/);
  });

  test("that expired is refused with the date", () => {
    const r = checkUpload({ ...good, now: new Date(Date.now() + 400 * 86400_000) });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.fields.certificatePem).toMatch(/^This certificate expired on \d{4}-\d{2}-\d{2}/);
  });

  test("that does not cover a domain names it", () => {
    const r = checkUpload({ ...good, domains: ["app.test", "other.test", "a.b.app.test"] });
    expect(r).toEqual({ ok: false, fields: { domains: "The certificate does not cover other.test, a.b.app.test (it is for app.test, *.app.test)." } });
  });

  test("that is not PEM, or a key that is not a key, gets plain words", () => {
    expect(checkUpload({ ...good, certificatePem: "hello" })).toMatchObject({ ok: false, fields: { certificatePem: expect.stringMatching(/not a PEM certificate/) } });
    expect(checkUpload({ ...good, keyPem: pki.leaf })).toMatchObject({ ok: false, fields: { keyPem: "This is a certificate, not a private key." } });
    expect(checkUpload({ ...good, keyPem: "-----BEGIN ENCRYPTED PRIVATE KEY-----\nx\n-----END ENCRYPTED PRIVATE KEY-----" })).toMatchObject({ ok: false, fields: { keyPem: expect.stringMatching(/passphrase/) } });
  });

  test("wildcards cover exactly one label", () => {
    const leaf = new X509Certificate(pki.leaf);
    expect(covers(leaf, "x.app.test")).toBe(true);
    expect(covers(leaf, "y.x.app.test")).toBe(false);
    expect(covers(leaf, "*.app.test")).toBe(true);
    expect(covers(leaf, "*.x.app.test")).toBe(false);
  });
});

describe("renewal scheduling", () => {
  const day = 86400_000;
  const base = { mode: "acme", status: "issued", autoRenew: true, nextAttemptAt: null };
  test("is due 30 days before expiry, not earlier", () => {
    expect(isDue({ ...base, notAfter: new Date(now.getTime() + 29 * day) }, now)).toBe(true);
    expect(isDue({ ...base, notAfter: new Date(now.getTime() + 31 * day) }, now)).toBe(false);
  });
  test("waits for the backoff after a failure, and skips uploads and opt-outs", () => {
    const soon = new Date(now.getTime() + 2 * day);
    expect(isDue({ ...base, notAfter: soon, nextAttemptAt: new Date(now.getTime() + 1000) }, now)).toBe(false);
    expect(isDue({ ...base, notAfter: soon, mode: "custom" }, now)).toBe(false);
    expect(isDue({ ...base, notAfter: soon, autoRenew: false }, now)).toBe(false);
    expect(isDue({ ...base, status: "error", notAfter: null }, now)).toBe(true);
  });
  test("backs off 1 h, 2 h, 4 h … up to a day", () => {
    expect([1, 2, 3, 6, 10].map((n) => retryDelayMs(n) / 3600_000)).toEqual([1, 2, 4, 24, 24]);
  });
});

describe("a plain self-signed certificate (openssl req -x509)", () => {
  test("is accepted alone with a warning, read by its CN when it has no subjectAltName", async () => {
    const { execFileSync } = await import("node:child_process");
    const { mkdtempSync, readFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { checkUpload, SELF_SIGNED_WARNING } = await import("~/server/certs/pem");
    const dir = mkdtempSync(join(tmpdir(), "infrapilot-x509-"));
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", join(dir, "k.pem"), "-out", join(dir, "c.pem"), "-days", "2", "-subj", "/CN=plain.test"], { stdio: "ignore" });
    const input = { certificatePem: readFileSync(join(dir, "c.pem"), "utf8"), keyPem: readFileSync(join(dir, "k.pem"), "utf8"), now: new Date() };
    const ok = checkUpload({ ...input, domains: ["plain.test"] });
    expect(ok.ok && ok.warnings).toEqual([SELF_SIGNED_WARNING]);
    expect(ok.ok && ok.info.selfSigned).toBe(true);
    const other = checkUpload({ ...input, domains: ["other.test"] });
    expect(other).toEqual({ ok: false, fields: { domains: "The certificate does not cover other.test (it is for plain.test)." } });
  });
});
