// Pure: one audit entry as a line of CEF (ArcSight Common Event Format, rev. 25) or of syslog
// (RFC 5424 with structured data), for exports and, later, forwarders. Nothing here does I/O.

export interface AuditLineInput {
  id: string;
  time: string;
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  userAgent: string | null;
  outcome: string;
  details: unknown;
}

export interface ProductInfo {
  vendor: string;
  product: string;
  version: string;
  /** RFC 5424 HOSTNAME: the installation's host name (PUBLIC_URL's host). */
  hostname: string;
}

// ---------------------------------------------------------------- CEF

/** CEF header fields escape backslash and pipe; newlines cannot appear in a header (replaced by a space). */
export function cefHeaderEscape(value: string): string {
  if (!/[\\|\r\n]/.test(value)) return value; // the usual case: nothing to escape, no new string
  return value.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/[\r\n]+/g, " ");
}

/** CEF extension values escape backslash and equals, and encode newlines as \n and \r. */
export function cefExtensionEscape(value: string): string {
  if (!/[\\=\r\n]/.test(value)) return value;
  return value.replace(/\\/g, "\\\\").replace(/=/g, "\\=").replace(/\r\n|\n/g, "\\n").replace(/\r/g, "\\r");
}

/** Severity 0–10 from the outcome: a denied action matters more than a success. */
function cefSeverity(outcome: string): number {
  return outcome === "denied" ? 7 : outcome === "failure" ? 5 : 3;
}

export function toCef(e: AuditLineInput, p: ProductInfo): string {
  const header = ["CEF:0", p.vendor, p.product, p.version, e.action, e.action, String(cefSeverity(e.outcome))].map((v, i) => (i === 0 ? v : cefHeaderEscape(v)));
  const ext: [string, string | null][] = [
    ["rt", String(Date.parse(e.time))],
    ["externalId", e.id],
    ["act", e.action],
    ["outcome", e.outcome],
    ["suid", e.actorId],
    ["suser", e.actorEmail],
    ["src", e.ip],
    ["requestClientApplication", e.userAgent],
    ["cs1Label", e.targetType === null ? null : "targetType"],
    ["cs1", e.targetType],
    ["cs2Label", e.targetId === null ? null : "targetId"],
    ["cs2", e.targetId],
    ["cs3Label", "details"],
    ["cs3", JSON.stringify(e.details ?? {})],
  ];
  const extension = ext
    .filter((kv): kv is [string, string] => kv[1] !== null && kv[1] !== "")
    .map(([k, v]) => `${k}=${cefExtensionEscape(v)}`)
    .join(" ");
  return `${header.join("|")}|${extension}`;
}

// ---------------------------------------------------------------- RFC 5424

/** PRINTUSASCII without space, at most `max` characters; "-" when empty (the NILVALUE). */
function header5424(value: string | null, max: number): string {
  const clean = (value ?? "").replace(/[^\x21-\x7e]/g, "").slice(0, max);
  return clean || "-";
}

/** SD-PARAM values escape `"`, `\` and `]` (RFC 5424 §6.3.3). */
export function sdParamEscape(value: string): string {
  if (!/[\\"\]]/.test(value)) return value;
  return value.replace(/[\\"\]]/g, (c) => `\\${c}`);
}

/** SD-NAME: printable ASCII except `=`, space, `]` and `"`, at most 32 characters. */
function sdName(name: string): string {
  return name.replace(/[^\x21-\x7e]|[= \]"]/g, "_").slice(0, 32);
}

/** Facility 10 (security/authorization, "authpriv"); severity from the outcome. */
function priority(outcome: string): number {
  const severity = outcome === "denied" ? 4 : outcome === "failure" ? 5 : 6; // warning, notice, informational
  return 10 * 8 + severity;
}

/** Our private enterprise number placeholder in SD-IDs (RFC 5424 §7.2.2: name@<number>). */
export const SD_ENTERPRISE = "32473"; // the IANA number reserved for documentation (RFC 5612)

export function toSyslog5424(e: AuditLineInput, p: ProductInfo): string {
  const params: [string, string | null][] = [
    ["id", e.id],
    ["action", e.action],
    ["outcome", e.outcome],
    ["actorId", e.actorId],
    ["actorEmail", e.actorEmail],
    ["targetType", e.targetType],
    ["targetId", e.targetId],
    ["ip", e.ip],
    ["userAgent", e.userAgent],
  ];
  const sd = `[audit@${SD_ENTERPRISE} ${params
    .filter((kv): kv is [string, string] => kv[1] !== null)
    // One entry is one line: control characters (a user agent's CR LF) become spaces.
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    .map(([k, v]) => `${sdName(k)}="${sdParamEscape(v.replace(/[\x00-\x1f\x7f]+/g, " "))}"`)
    .join(" ")}]`;
  const msg = `${e.action} ${e.outcome}${e.actorEmail ? ` by ${e.actorEmail}` : ""} ${JSON.stringify(e.details ?? {})}`.replace(/[\r\n]+/g, " ");
  // MSG is UTF-8, so it starts with the BOM (RFC 5424 §6.4).
  return `<${priority(e.outcome)}>1 ${e.time} ${header5424(p.hostname, 255)} ${header5424(p.product, 48)} - ${header5424(e.action, 32)} ${sd} \uFEFF${msg}`;
}
