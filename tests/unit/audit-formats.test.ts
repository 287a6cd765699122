// CEF (ArcSight rev. 25) and RFC 5424 lines from audit entries whose fields try to break them.
import { describe, expect, test } from "vitest";
import { cefExtensionEscape, cefHeaderEscape, sdParamEscape, toCef, toSyslog5424, type AuditLineInput } from "~/server/audit/formats";

const product = { vendor: "InfraPilot", product: "InfraPilot", version: "1.2|3", hostname: "panel.example.com" };
const nasty: AuditLineInput = {
  id: "42",
  time: "2026-12-03T10:00:00.123Z",
  actorId: "u-1",
  actorEmail: "eve=admin@example.com",
  action: "proxy|host.update",
  targetType: "proxy\\host",
  targetId: "a=b\nc",
  ip: "203.0.113.9",
  userAgent: 'Mozilla "5.0" [x]\r\nInjected: yes',
  outcome: "denied",
  details: { note: 'line1\nline2 | = \\ ] "' },
};

describe("CEF", () => {
  test("header fields escape backslash and pipe, extension values escape backslash, equals and newlines", () => {
    expect(cefHeaderEscape("a|b\\c")).toBe("a\\|b\\\\c");
    expect(cefHeaderEscape("two\nlines")).toBe("two lines");
    expect(cefExtensionEscape("a=b\\c|d\ne\r\nf\rg")).toBe("a\\=b\\\\c|d\\ne\\nf\\rg");
  });

  test("a hostile entry stays one line whose header parses into exactly its seven fields", () => {
    const line = toCef(nasty, product);
    expect(line).not.toMatch(/[\r\n]/);
    // Seven header fields, each a run of anything but an unescaped pipe (pipes in the extension are legal).
    const header = /^((?:[^|\\]|\\.)*)\|((?:[^|\\]|\\.)*)\|((?:[^|\\]|\\.)*)\|((?:[^|\\]|\\.)*)\|((?:[^|\\]|\\.)*)\|((?:[^|\\]|\\.)*)\|((?:[^|\\]|\\.)*)\|/.exec(line);
    expect(header?.slice(1)).toEqual(["CEF:0", "InfraPilot", "InfraPilot", "1.2\\|3", "proxy\\|host.update", "proxy\\|host.update", "7"]);
    expect(line.startsWith("CEF:0|InfraPilot|InfraPilot|1.2\\|3|proxy\\|host.update|proxy\\|host.update|7|")).toBe(true);
    // Every key=value pair of the extension parses back: split on unescaped "=" preceded by a key.
    const extension = line.slice(line.lastIndexOf("|7|") + 3);
    const keys = [...extension.matchAll(/(?:^| )([A-Za-z0-9]+)=/g)].map((m) => m[1]);
    expect(keys).toEqual(["rt", "externalId", "act", "outcome", "suid", "suser", "src", "requestClientApplication", "cs1Label", "cs1", "cs2Label", "cs2", "cs3Label", "cs3"]);
    expect(extension).toContain("suser=eve\\=admin@example.com");
    expect(extension).toContain("cs2=a\\=b\\nc");
    expect(extension).toContain("rt=" + Date.parse(nasty.time));
  });
});

describe("RFC 5424", () => {
  test("SD-PARAM values escape quote, backslash and closing bracket", () => {
    expect(sdParamEscape('a"b\\c]d')).toBe('a\\"b\\\\c\\]d');
  });

  test("a hostile entry is one well-formed line: PRI, version, timestamp, host, app, structured data, BOM message", () => {
    const line = toSyslog5424(nasty, product);
    expect(line).not.toMatch(/[\r\n]/);
    const m = /^<(\d+)>1 (\S+) (\S+) (\S+) - (\S+) (\[.*\]) \uFEFF(.*)$/.exec(line);
    expect(m).not.toBeNull();
    const [, pri, time, host, app, msgid, sd, msg] = m!;
    expect(Number(pri)).toBe(10 * 8 + 4); // authpriv.warning for a denied action
    expect(time).toBe(nasty.time);
    expect(host).toBe("panel.example.com");
    expect(app).toBe("InfraPilot");
    expect(msgid).toBe("proxy|host.update");
    // The structured data is one element whose quoted values contain no unescaped quote or bracket.
    const body = sd!.slice(1, -1);
    expect(body.startsWith("audit@32473 ")).toBe(true);
    const values = [...body.matchAll(/ ([^= ]+)="((?:[^"\\\]]|\\["\\\]])*)"/g)].map((x) => [x[1], x[2]]);
    expect(values.map((v) => v[0])).toEqual(["id", "action", "outcome", "actorId", "actorEmail", "targetType", "targetId", "ip", "userAgent"]);
    expect(Object.fromEntries(values).userAgent).toBe('Mozilla \\"5.0\\" [x\\] Injected: yes');
    expect(msg).toContain("proxy|host.update denied by eve=admin@example.com");
  });
});
