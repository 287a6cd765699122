// Pure: where a user-supplied `redirectTo` may send the browser. Browsers are lenient about what
// they treat as "another host": they drop tabs and line breaks inside URLs, read `\` as `/`, and
// some servers and proxies decode `%2F` before routing. So we accept only a plain local path and
// check every decoded form of it too; anything doubtful goes to the fallback page.

const MAX_LENGTH = 2000;
const BASE = "http://infrapilot.invalid";

function looksLocal(path: string): boolean {
  // Whitespace and control characters (tab, CR, LF …) and backslashes are never in our own links.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is looked for
  if (/[\s\u0000-\u001f\u007f\\]/.test(path)) return false;
  if (!path.startsWith("/") || path.startsWith("//")) return false;
  try {
    return new URL(path, BASE).origin === BASE;
  } catch {
    return false;
  }
}

/** Only same-site relative paths: never `//evil.example`, `/\evil.example`, `/%09/evil.example`, `https://…` or `javascript:`. */
export function safeRedirectPath(to: unknown, fallback = "/dashboard"): string {
  if (typeof to !== "string" || to.length === 0 || to.length > MAX_LENGTH) return fallback;
  let current = to;
  // Decode until stable (bounded), so `%252F%252F` is judged as `//` too.
  for (let round = 0; round < 4; round++) {
    if (!looksLocal(current)) return fallback;
    let decoded: string;
    try {
      decoded = decodeURIComponent(current);
    } catch {
      // A malformed escape in what was sent is nothing our own pages produce; one that appears
      // only after decoding (`50%25` → `50%`) cannot be decoded by anyone else either.
      return round === 0 ? fallback : to;
    }
    if (decoded === current) return to;
    current = decoded;
  }
  return fallback;
}
