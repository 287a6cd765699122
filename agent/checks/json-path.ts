// The JSON-path part of an HTTP monitor ("JSON path equals", issue 21): a small, safe subset of
// JSONPath — `$`, `.name`, `["name"]` and `[index]` (negative counts from the end) — evaluated
// without eval. Pure, so both ends (the control plane and a node's agent) share it.

export type JsonPathStep = string | number;

/** The steps of `$.a.b[0]["c d"]`, or null when the path is not of that subset. */
export function parseJsonPath(path: string): JsonPathStep[] | null {
  const p = path.trim();
  if (!p.startsWith("$")) return null;
  const steps: JsonPathStep[] = [];
  let i = 1;
  while (i < p.length) {
    if (p[i] === ".") {
      const m = /^[A-Za-z_$][A-Za-z0-9_$-]*/.exec(p.slice(i + 1));
      if (!m) return null;
      steps.push(m[0]);
      i += 1 + m[0].length;
    } else if (p[i] === "[") {
      const rest = p.slice(i);
      const index = /^\[(-?\d{1,9})\]/.exec(rest);
      const quoted = /^\[(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\]/.exec(rest);
      if (index) {
        steps.push(Number(index[1]));
        i += index[0].length;
      } else if (quoted) {
        steps.push((quoted[1] ?? quoted[2] ?? "").replace(/\\(.)/g, "$1"));
        i += quoted[0].length;
      } else return null;
    } else return null;
  }
  return steps;
}

/** The value at `steps`, or `undefined` when the document has nothing there. */
export function valueAt(doc: unknown, steps: JsonPathStep[]): unknown {
  let cur: unknown = doc;
  for (const step of steps) {
    if (typeof step === "number") {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[step < 0 ? cur.length + step : step];
    } else {
      if (cur === null || typeof cur !== "object" || Array.isArray(cur) || !Object.prototype.hasOwnProperty.call(cur, step)) return undefined;
      cur = (cur as Record<string, unknown>)[step];
    }
  }
  return cur;
}

/** A found value as the text compared with `expected`: strings as they are, everything else as JSON. */
export function jsonValueText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * Whether `body` (JSON) has `expected` at `path`; with no `expected`, whether anything is there.
 * The message says what was found, cut to 100 characters.
 */
export function matchJsonPath(body: string, path: string, expected: string | null): { ok: boolean; message: string } {
  const steps = parseJsonPath(path);
  if (!steps) return { ok: false, message: `not a supported JSON path: ${path}` };
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return { ok: false, message: "the body is not JSON" };
  }
  const value = valueAt(doc, steps);
  if (value === undefined) return { ok: false, message: `${path} not found` };
  const text = jsonValueText(value);
  const shown = text.length > 100 ? `${text.slice(0, 100)}…` : text;
  if (expected === null) return { ok: true, message: `${path} = ${shown}` };
  return text === expected ? { ok: true, message: `${path} = ${shown}` } : { ok: false, message: `${path} = ${shown}, expected ${expected}` };
}
