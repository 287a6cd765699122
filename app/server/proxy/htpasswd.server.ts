// Password hashes for nginx basic auth. nginx reads {SSHA} (salted SHA-1) natively on every
// platform without a crypt(3) dependency; the hash only guards proxied sites, the InfraPilot
// logins use argon2. See docs/decisions/020-proxy-apply-pipeline.md.
import { createHash, randomBytes } from "node:crypto";

export function ssha(password: string): string {
  const salt = randomBytes(8);
  const digest = createHash("sha1").update(password).update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString("base64")}`;
}
