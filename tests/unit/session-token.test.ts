import { describe, expect, test } from "vitest";
import { randomToken, sha256Hex } from "~/server/crypto.server";
import { readSessionToken, SESSION_COOKIE } from "~/server/auth/session.server";

describe("session tokens", () => {
  test("tokens carry 256 bits of randomness and never repeat", () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => randomToken(32)));
    expect(tokens.size).toBe(1000);
    for (const t of tokens) expect(Buffer.from(t, "base64url")).toHaveLength(32);
  });

  test("the stored id is the SHA-256 of the token, not the token", () => {
    const token = randomToken(32);
    const id = sha256Hex(token);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(id).not.toContain(token);
    expect(sha256Hex(token)).toBe(id);
  });

  test("the cookie reader accepts only well-formed tokens", () => {
    const token = randomToken(32);
    expect(readSessionToken(`a=b; ${SESSION_COOKIE}=${token}`)).toBe(token);
    expect(readSessionToken(`${SESSION_COOKIE}=short`)).toBeNull();
    expect(readSessionToken(`${SESSION_COOKIE}=${"x".repeat(30)};drop`)).toBe("x".repeat(30));
    expect(readSessionToken(`${SESSION_COOKIE}=abc%27%3B%20DROP%20TABLE`)).toBeNull();
    expect(readSessionToken(undefined)).toBeNull();
  });
});
