// COPY text format of a log batch (the writer copies each batch into a staging table): every
// character a container can print must come back as it was, and no message can end a field or a
// row early. Decoded here by an independent reader of the format as PostgreSQL documents it
// (https://www.postgresql.org/docs/15/sql-copy.html, "Text Format"); the round trip through a real
// Postgres is in tests/integration/logs-store.test.ts.
import { describe, expect, it } from "vitest";
import { copyTextRows, copyTextValue, type StoredLogInput } from "~/server/logs/log-writer.server";

/** PostgreSQL's text-format reader: rows end at an unescaped newline, fields at a tab. */
function decodeCopyText(text: string): (string | null)[][] {
  const rows: (string | null)[][] = [];
  for (const raw of text.split("\n")) {
    if (raw === "") continue;
    rows.push(
      raw.split("\t").map((field) => {
        if (field === "\\N") return null;
        return field.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_, e: string) => {
          if (e[0] === "x") return String.fromCharCode(parseInt(e.slice(1), 16));
          if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
          return ({ b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" } as Record<string, string>)[e] ?? e;
        });
      }),
    );
  }
  return rows;
}

const NASTY = [
  "tab\there and\tthere",
  "new\nline and\r\nCRLF and lone \r",
  "back\\slash, double \\\\ and trailing \\",
  "\\N",
  "\\N\t\\N",
  "literally \\t and \\n, not escapes",
  "\\.",
  ".",
  "'single' \"double\" `back` quotes, a \"\"quoted\"\" field,",
  "unicode: ünïcødé 日本語 emoji 🚀👩‍💻 RTL שלום, zero-width \u200b, BOM \ufeff",
  "control chars \u0001\u0002\u001b[31mred\u001b[0m \u007f \b \f \v",
  "\\x41 \\101 look like escapes",
  "",
  " ",
  "ends with newline\n",
];

const line = (message: string, extra: Partial<StoredLogInput> = {}): StoredLogInput => ({
  time: "2026-11-25T10:00:00.123456Z",
  agentId: "agent",
  containerId: "cid",
  containerName: "web",
  stack: null,
  proxyHostId: null,
  stream: "stdout",
  level: "info",
  message,
  ...extra,
});

describe("COPY text format of a log batch", () => {
  it("round-trips nasty messages exactly, one row per line and nine fields per row", () => {
    const lines = NASTY.map((m) => line(m));
    const rows = decodeCopyText(copyTextRows(lines));
    expect(rows).toHaveLength(NASTY.length);
    for (const row of rows) expect(row).toHaveLength(9);
    expect(rows.map((r) => r[8])).toEqual(NASTY);
  });

  it("writes NULL as \\N and a message spelled \\N as an escaped backslash", () => {
    expect(copyTextValue(null)).toBe("\\N");
    expect(copyTextValue("\\N")).toBe("\\\\N");
    const [row] = decodeCopyText(copyTextRows([line("\\N", { stack: null, containerName: "\\N" })]));
    expect(row![4]).toBeNull();
    expect(row![3]).toBe("\\N");
    expect(row![8]).toBe("\\N");
  });

  it("escapes tabs, newlines, carriage returns and backslashes in every column, not only the message", () => {
    const [row] = decodeCopyText(copyTextRows([line("m", { containerName: "a\tb", stack: "s\nt", agentId: "x\\y", containerId: "c\rd" })]));
    expect(row).toEqual(["2026-11-25T10:00:00.123456Z", "x\\y", "c\rd", "a\tb", "s\nt", null, "stdout", "info", "m"]);
  });

  it("drops NUL, which PostgreSQL text cannot hold, and leaves everything else alone", () => {
    expect(copyTextValue("a\0b\0")).toBe("ab");
    const [row] = decodeCopyText(copyTextRows([line("before\0after\ttab")]));
    expect(row![8]).toBe("beforeafter\ttab");
  });

  it("produces nothing for an empty batch", () => {
    expect(copyTextRows([])).toBe("");
  });
});
