import { describe, expect, test } from "vitest";
import { EnvError, parseEnv } from "~/server/env.server";

describe("environment validation", () => {
  test("defaults give a community server on port 3000 with data in ./data", () => {
    const env = parseEnv({});
    expect(env.EDITION).toBe("community");
    expect(env.PORT).toBe(3000);
    expect(env.HOST).toBe("0.0.0.0");
    expect(env.PUBLIC_URL).toBe("http://localhost:3000");
    expect(env.DATA_DIR).toMatch(/\/data$/);
    expect(env.NGINX_CONF_DIR).toBe(`${env.DATA_DIR}/nginx`);
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.secureCookies).toBe(false);
  });

  test("one error lists every bad variable with what it expects", () => {
    let error: unknown;
    try {
      parseEnv({ EDITION: "enterprise", PORT: "abc", DATABASE_URL: "mysql://x", ALERTS_ALLOW_PRIVATE: "maybe" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EnvError);
    const message = (error as EnvError).message;
    expect(message).toContain("EDITION: expected community or saas");
    expect(message).toContain("PORT: expected a port number");
    expect(message).toContain("DATABASE_URL: expected a URL starting with postgres:// or postgresql://");
    expect(message).toContain("ALERTS_ALLOW_PRIVATE: expected true or false");
    expect((error as EnvError).problems).toHaveLength(4);
  });

  test("secret-looking values are not echoed back in the message", () => {
    expect(() => parseEnv({ ENCRYPTION_KEY: "hunter2" })).toThrow(/ENCRYPTION_KEY: expected 32 bytes/);
    try {
      parseEnv({ ENCRYPTION_KEY: "hunter2" });
    } catch (e) {
      expect((e as Error).message).not.toContain("hunter2");
    }
  });

  test("an https PUBLIC_URL turns on secure cookies and sets the origin", () => {
    const env = parseEnv({ PUBLIC_URL: "https://pilot.example.com/", PORT: "8080" });
    expect(env.PUBLIC_URL).toBe("https://pilot.example.com");
    expect(env.publicOrigin).toBe("https://pilot.example.com");
    expect(env.secureCookies).toBe(true);
  });

  test("empty strings count as unset", () => {
    expect(parseEnv({ DATABASE_URL: "", PORT: "" }).PORT).toBe(3000);
  });

  test("port numbers outside 1..65535 are refused", () => {
    expect(() => parseEnv({ PORT: "70000" })).toThrow(/PORT: expected a port between 1 and 65535/);
  });
});
