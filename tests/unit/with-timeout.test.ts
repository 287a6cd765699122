import { describe, expect, test } from "vitest";
import { withTimeout } from "~/server/with-timeout";

const after = <T>(ms: number, value: T) => new Promise<T>((r) => setTimeout(() => r(value), ms));

describe("withTimeout", () => {
  test("answers with the promise when it settles first", async () => {
    await expect(withTimeout(after(5, "engine"), 1_000, () => "fallback")).resolves.toBe("engine");
    await expect(withTimeout(Promise.reject(new Error("refused")), 1_000, () => "fallback")).rejects.toThrow("refused");
  });

  test("answers with the fallback, or its error, when the promise is too slow", async () => {
    await expect(withTimeout(after(1_000, "engine"), 10, () => "fallback")).resolves.toBe("fallback");
    await expect(withTimeout(after(1_000, "engine"), 10, async () => "async fallback")).resolves.toBe("async fallback");
    await expect(withTimeout(after(1_000, "engine"), 10, () => { throw new Error("no answer within 10 ms"); })).rejects.toThrow("no answer within 10 ms");
  });

  test("never calls the fallback once the promise has answered", async () => {
    let called = false;
    await withTimeout(after(1, "engine"), 30, () => ((called = true), "fallback"));
    await after(60, null);
    expect(called).toBe(false);
  });
});
