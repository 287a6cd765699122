// The maintenance window editor's round trip (app/components/alerts/maintenance-windows.tsx):
// stored windows → rows, and a refused submission's echoed flat fields → the windows as typed.
import { describe, expect, test } from "vitest";
import { rowsOf, windowsFromEcho } from "~/components/alerts/maintenance-windows";

describe("maintenance window rows", () => {
  test("stored windows become rows: ISO instants as datetime-local values in UTC, weekly as they are", () => {
    expect(rowsOf([{ start: "2030-05-02T10:00:00.000Z", end: "2030-05-02T12:30:00.000Z" }, { weekdays: [0, 6], from: "23:00", to: "01:30" }])).toEqual([
      { key: 0, kind: "once", start: "2030-05-02T10:00", end: "2030-05-02T12:30", weekdays: [], from: "", to: "" },
      { key: 1, kind: "weekly", start: "", end: "", weekdays: [0, 6], from: "23:00", to: "01:30" },
    ]);
  });

  test("echoed fields come back in row order, weekdays split, what was typed kept", () => {
    const echoed = {
      name: "x",
      "maintenance.1.kind": "weekly",
      "maintenance.1.weekdays": "0,6",
      "maintenance.1.from": "23:00",
      "maintenance.1.to": "01:30",
      "maintenance.0.kind": "once",
      "maintenance.0.start": "2030-05-02T10:00",
      "maintenance.0.end": "not a date",
      "maintenance.2.kind": "weekly",
    };
    const windows = windowsFromEcho(echoed);
    expect(windows).toEqual([{ start: "2030-05-02T10:00", end: "not a date" }, { weekdays: [0, 6], from: "23:00", to: "01:30" }, { weekdays: [], from: "", to: "" }]);
    expect(rowsOf(windows)[0]).toMatchObject({ kind: "once", start: "2030-05-02T10:00", end: "not a date" });
    expect(windowsFromEcho({ name: "x" })).toEqual([]);
  });
});
