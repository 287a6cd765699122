// Hashing, random tokens and AES-256-GCM for secrets at rest.
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { env } from "./env.server";
import { singleton } from "./singleton.server";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function sha256Hex(value: string | Buffer): string {
  return createHash("sha256").update(value).digest("hex");
}

/** A URL-safe random token with `bytes` bytes of entropy. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Reads a 32-byte key from ENCRYPTION_KEY (hex or base64) or generates one into DATA_DIR (0600). */
export function loadEncryptionKey(configured: string | undefined, dataDir: string): Buffer {
  if (configured) return /^[0-9a-f]{64}$/i.test(configured) ? Buffer.from(configured, "hex") : Buffer.from(configured, "base64");
  const file = join(dataDir, "encryption.key");
  if (existsSync(file)) {
    const key = Buffer.from(readFileSync(file, "utf8").trim(), "hex");
    if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte hex key; restore it or set ENCRYPTION_KEY.`);
    return key;
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString("hex") + "\n", { mode: 0o600, flag: "wx" });
  chmodSync(file, 0o600);
  return key;
}

/** AES-256-GCM; output `v1:<iv>:<tag>:<ciphertext>` in base64url. */
export function encryptSecret(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), data.toString("base64url")].join(":");
}

export function decryptSecret(key: Buffer, sealed: string): string {
  const [version, iv, tag, data] = sealed.split(":");
  if (version !== "v1" || !iv || !tag || data === undefined) throw new Error("Unrecognised secret format");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
}

/** The process's key for secrets at rest (ENCRYPTION_KEY, or generated once into DATA_DIR). */
export function encryptionKey(): Buffer {
  return singleton("encryptionKey", () => loadEncryptionKey(env().ENCRYPTION_KEY, env().DATA_DIR));
}

export function seal(plaintext: string): string {
  return encryptSecret(encryptionKey(), plaintext);
}

export function unseal(sealed: string): string {
  return decryptSecret(encryptionKey(), sealed);
}

/** A keyed hash (HMAC-SHA256 under a purpose-specific key): a stolen table cannot be brute-forced offline without the key. */
const derivedKeys = new WeakMap<Buffer, Map<string, Buffer>>();

export function keyedHash(purpose: string, value: string): string {
  // The per-purpose key is derived once per encryption key (the audit verifier hashes every row).
  const master = encryptionKey();
  let keys = derivedKeys.get(master);
  if (!keys) derivedKeys.set(master, (keys = new Map()));
  let key = keys.get(purpose);
  if (!key) keys.set(purpose, (key = createHmac("sha256", master).update(`infrapilot:${purpose}`).digest()));
  return createHmac("sha256", key).update(value).digest("hex");
}
