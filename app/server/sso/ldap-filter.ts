// Pure: LDAP search filters built from a template and user input (RFC 4515). Every value a user
// types is escaped, so `*)(uid=*` is a literal username, never a wildcard or a second clause.

/** RFC 4515 value escaping: `\ * ( )` and NUL become `\5c \2a \28 \29 \00`; so does every non-printable byte. */
export function escapeFilterValue(value: string): string {
  let out = "";
  for (const byte of Buffer.from(value, "utf8")) {
    const c = String.fromCharCode(byte);
    if (byte < 0x20 || byte === 0x7f || c === "\\" || c === "*" || c === "(" || c === ")" || byte >= 0x80) out += `\\${byte.toString(16).padStart(2, "0")}`;
    else out += c;
  }
  return out;
}

/** Fills `{username}` and `{dn}` placeholders of an admin-written filter template with escaped values. */
export function buildFilter(template: string, values: { username?: string; dn?: string }): string {
  return template.replace(/\{(username|dn)\}/g, (_, key: "username" | "dn") => escapeFilterValue(values[key] ?? ""));
}

/** The value of a DN's first RDN when it is `cn=…` (memberOf values name groups by DN). */
export function groupNameFromDn(dn: string): string | null {
  const m = /^\s*cn\s*=\s*((?:\\.|[^,+\\])+)/i.exec(dn);
  if (!m) return null;
  return m[1]!.replace(/\\([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))).replace(/\\(.)/g, "$1").trim();
}
