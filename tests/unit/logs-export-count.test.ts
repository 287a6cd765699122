// Counting export rows as chunks arrive: NDJSON rows end at every line break; CSV rows may hold
// line breaks (and doubled quotes) inside quoted fields, split anywhere across chunks.
import { describe, expect, test } from "vitest";
import { countRows, formatSize, rowCounter } from "~/components/logs/export-count";

function countInChunks(format: "csv" | "ndjson", text: string, size: number): number {
  const counter = rowCounter(format);
  for (let i = 0; i < text.length; i += size) countRows(counter, text.slice(i, i + size));
  return counter.rows;
}

const CSV = [
  "time,agentId,containerId,containerName,stack,proxyHostId,stream,level,message",
  '2026-11-25T10:00:00.000000Z,a,c,web,,,stdout,info,plain',
  '2026-11-25T10:00:01.000000Z,a,c,web,,,stderr,error,"Traceback:\n  line 1\n  line ""2"", done"',
  '2026-11-25T10:00:02.000000Z,a,c,web,,,stdout,unknown,"a, b"',
  "",
].join("\n");

describe("export row counting", () => {
  test.each([1, 2, 3, 7, 64, 10_000])("CSV in chunks of %i: the header is not a row, quoted line breaks are not rows", (size) => {
    expect(countInChunks("csv", CSV, size)).toBe(3);
  });

  test.each([1, 5, 10_000])("NDJSON in chunks of %i", (size) => {
    const ndjson = [{ message: "one\ntwo" }, { message: 'q"uote' }, { message: "" }].map((l) => JSON.stringify(l)).join("\n") + "\n";
    expect(countInChunks("ndjson", ndjson, size)).toBe(3);
  });

  test("a row is counted only once its line ends", () => {
    const counter = rowCounter("ndjson");
    countRows(counter, '{"a":1}\n{"a":');
    expect(counter.rows).toBe(1);
    countRows(counter, "2}\n");
    expect(counter.rows).toBe(2);
  });

  test("sizes", () => {
    expect(formatSize(512)).toBe("512 B");
    expect(formatSize(2048)).toBe("2.0 KB");
    expect(formatSize(5 * 1024 * 1024)).toBe("5.0 MB");
  });
});
