import { describe, expect, test } from "vitest";
import { matchJsonPath, parseJsonPath, valueAt } from "#agent/checks/json-path";
import { HttpConfigSchema } from "~/validation/monitors";

describe("JSON path of an HTTP monitor", () => {
  test("parses dotted names, quoted names and indexes; refuses anything else", () => {
    expect(parseJsonPath("$")).toEqual([]);
    expect(parseJsonPath("$.a.b_c[0]['d e'][\"f\\\"g\"][-1]")).toEqual(["a", "b_c", 0, "d e", 'f"g', -1]);
    for (const bad of ["a.b", "$.", "$..a", "$[*]", "$.a[?(@.x)]", "$.a b", "$[0", "$.constructor()"]) expect(parseJsonPath(bad), bad).toBeNull();
  });

  test("finds values without walking into prototypes", () => {
    const doc = { items: [{ ok: true }, { ok: false }], n: 0 };
    expect(valueAt(doc, ["items", -1, "ok"])).toBe(false);
    expect(valueAt(doc, ["n"])).toBe(0);
    expect(valueAt(doc, ["constructor"])).toBeUndefined();
    expect(valueAt(doc, ["items", "length"])).toBeUndefined();
    expect(valueAt(doc, ["items", 5])).toBeUndefined();
  });

  test("compares strings as they are and everything else as JSON", () => {
    const body = JSON.stringify({ status: "ok", count: 3, up: true, none: null, list: [1, 2] });
    expect(matchJsonPath(body, "$.status", "ok")).toEqual({ ok: true, message: "$.status = ok" });
    expect(matchJsonPath(body, "$.count", "3").ok).toBe(true);
    expect(matchJsonPath(body, "$.up", "true").ok).toBe(true);
    expect(matchJsonPath(body, "$.none", "null").ok).toBe(true);
    expect(matchJsonPath(body, "$.list", "[1,2]").ok).toBe(true);
    expect(matchJsonPath(body, "$.status", "down")).toEqual({ ok: false, message: "$.status = ok, expected down" });
    expect(matchJsonPath(body, "$.missing", null)).toEqual({ ok: false, message: "$.missing not found" });
    expect(matchJsonPath(body, "$.status", null).ok).toBe(true);
    expect(matchJsonPath("<html>", "$.status", "ok")).toEqual({ ok: false, message: "the body is not JSON" });
  });

  test("the monitor schema refuses a path outside the subset and keeps an empty one as none", () => {
    expect(HttpConfigSchema.safeParse({ url: "http://example.com/", jsonPath: "$.a[?(@)]" }).success).toBe(false);
    expect(HttpConfigSchema.parse({ url: "http://example.com/", jsonPath: "" }).jsonPath).toBeNull();
    expect(HttpConfigSchema.parse({ url: "http://example.com/", jsonPath: "$.a", jsonExpected: "1" })).toMatchObject({ jsonPath: "$.a", jsonExpected: "1" });
  });
});
