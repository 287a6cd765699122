import { describe, expect, test } from "vitest";
import { hashPassword, needsRehash, passwordProblem, verifyPassword } from "~/server/auth/password.server";

describe("password policy", () => {
  test("eleven characters are too short and twelve are enough", () => {
    expect(passwordProblem("abcdefghijk")).toBe("Use at least 12 characters.");
    expect(passwordProblem("abcdefghijkl")).toBeNull();
  });

  test("one character repeated is refused", () => {
    expect(passwordProblem("aaaaaaaaaaaaaaaa")).toMatch(/repeated/);
  });

  test("the e-mail's local part is refused as the password", () => {
    expect(passwordProblem("administrator", { email: "Administrator@example.com" })).toMatch(/e-mail/);
  });

  test("very long passwords are refused before hashing", () => {
    expect(passwordProblem("x".repeat(300) + "y")).toMatch(/at most 256/);
  });
});

describe("password hashing", () => {
  test("hashes are argon2id with at least 19 MiB, 2 passes and 1 lane, and verify", async () => {
    const hash = await hashPassword("correct horse battery staple");
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(hash, "correct horse battery staple")).toBe(true);
    expect(await verifyPassword(hash, "correct horse battery stapler")).toBe(false);
  });

  test("a missing account never verifies", async () => {
    expect(await verifyPassword(null, "anything at all")).toBe(false);
  });

  test("weaker stored parameters ask for a rehash", async () => {
    expect(needsRehash("$argon2id$v=19$m=4096,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo")).toBe(true);
    expect(needsRehash(await hashPassword("correct horse battery staple"))).toBe(false);
  });
});
