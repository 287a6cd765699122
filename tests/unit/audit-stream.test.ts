// The bulk reader's text parsing (app/server/audit/audit-stream.server.ts): PostgreSQL's COPY text
// format and timestamptz output turned into what the hash and the formats expect.
import { describe, expect, test } from "vitest";
import { copyField, copyLineToRow, isoTime } from "~/server/audit/audit-stream.server";

describe("isoTime", () => {
  test("UTC timestamptz text becomes toISOString()'s form, whatever trailing zeros PostgreSQL dropped", () => {
    expect(isoTime("2026-12-03 14:28:22.749+00")).toBe("2026-12-03T14:28:22.749Z");
    expect(isoTime("2026-12-03 14:28:22.74+00")).toBe("2026-12-03T14:28:22.740Z");
    expect(isoTime("2026-12-03 14:28:22.7+00")).toBe("2026-12-03T14:28:22.700Z");
    expect(isoTime("2026-12-03 14:28:22+00")).toBe("2026-12-03T14:28:22.000Z");
    for (const ms of [0, 1, 10, 100, 749, 999]) {
      const d = new Date(Date.UTC(2026, 11, 3, 14, 28, 22, ms));
      const pgText = `2026-12-03 14:28:22${ms ? `.${String(ms).padStart(3, "0").replace(/0+$/, "")}` : ""}+00`;
      expect(isoTime(pgText)).toBe(d.toISOString());
    }
  });

  test("a time with sub-millisecond digits (no app wrote it) keeps them, so it can match no hash", () => {
    expect(isoTime("2026-12-03 14:28:22.749001+00")).toBe("2026-12-03 14:28:22.749001+00");
    expect(isoTime("2026-12-03 14:28:22+02")).toBe("2026-12-03 14:28:22+02");
  });
});

describe("COPY text format", () => {
  test("NULL and backslash escapes", () => {
    expect(copyField("\\N")).toBeNull();
    expect(copyField("plain")).toBe("plain");
    expect(copyField("a\\tb\\nc\\\\d\\re")).toBe("a\tb\nc\\d\re");
    expect(copyField("\\\\N")).toBe("\\N");
  });

  test("a line becomes a row; a line with the wrong number of columns is refused", () => {
    const line = [
      "7",
      "org-1",
      "2026-12-03 10:00:00.12+00",
      "\\N",
      "eve@example.com",
      "proxy.update",
      "proxy",
      "p-1",
      "\\N",
      "agent\\twith tab",
      "success",
      '{"note": "a\\\\nb"}',
      "\\N",
      "abc",
      "2",
    ].join("\t");
    expect(copyLineToRow(line)).toEqual({
      id: 7n,
      orgId: "org-1",
      time: "2026-12-03T10:00:00.120Z",
      actorId: null,
      actorEmail: "eve@example.com",
      action: "proxy.update",
      targetType: "proxy",
      targetId: "p-1",
      ip: null,
      userAgent: "agent\twith tab",
      outcome: "success",
      details: { note: "a\nb" },
      prevHash: null,
      hash: "abc",
      hashVersion: 2,
    });
    expect(() => copyLineToRow("1\t2")).toThrow(/2 columns/);
  });
});
