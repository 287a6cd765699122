// Pure: splits nginx configuration text into tokens the way nginx's own reader
// (ngx_conf_read_token) does, so checks on the super admin's `advanced` directives see what nginx
// will see. Counting braces in the raw text is fooled by `# {` (a comment to nginx) and by braces
// inside quotes; a brace that nginx reads as a block end where we saw text would let the text
// close the server block and write at the http level, which `nginx -t` happily accepts.
//
// What nginx does, and so this does:
// - `#` at the start of a token comments to the end of the line (inside a word it is a character);
// - '…' and "…" quote, with `\` escaping the next character; after a closing quote only
//   whitespace, `;` or `{` may follow;
// - a `\` outside quotes escapes the next character too;
// - words end at whitespace, `;` or `{`; a `}` is a block end only at the start of a token
//   (inside a word it is a character), and `${name}` keeps its braces inside the word.

export type NginxToken =
  | { kind: "word"; text: string; quoted: boolean; line: number }
  | { kind: "{" | "}" | ";"; line: number };

export type TokenizeResult = { ok: true; tokens: NginxToken[] } | { ok: false; problem: string; line: number };

const SPACE = new Set([" ", "\t", "\r", "\n"]);

export function tokenizeNginx(text: string): TokenizeResult {
  const tokens: NginxToken[] = [];
  let line = 1;
  let comment = false;
  let escaped = false;
  let quote: '"' | "'" | null = null;
  let needSpace = false;
  let word: { text: string; quoted: boolean; line: number } | null = null;
  let variable = false; // the previous character of an unquoted word was `$`
  let args = 0; // words of the directive being read
  const fail = (problem: string): TokenizeResult => ({ ok: false, problem, line });

  const endWord = () => {
    tokens.push({ kind: "word", ...word! });
    word = null;
    args++;
  };
  const punctuation = (ch: "{" | "}" | ";"): string | null => {
    if ((ch === ";" || ch === "{") && args === 0) return `Unexpected "${ch}" on line ${line}: it does not follow a directive.`;
    if (ch === "}" && args > 0) return `Unexpected "}" on line ${line}: the directive before it is not finished with ";".`;
    tokens.push({ kind: ch, line });
    args = 0;
    return null;
  };

  for (const ch of text) {
    if (ch === "\n") {
      line++;
      comment = false;
    }
    if (comment) continue;
    if (escaped) {
      escaped = false;
      word!.text += ch;
      continue;
    }
    if (needSpace) {
      if (SPACE.has(ch)) {
        needSpace = false;
        continue;
      }
      if (ch === ";" || ch === "{") {
        needSpace = false;
        const problem = punctuation(ch);
        if (problem) return fail(problem);
        continue;
      }
      return fail(`Unexpected "${ch}" on line ${line} right after a quoted string: put a space, ";" or "{" after the closing quote.`);
    }
    if (word === null) {
      if (SPACE.has(ch)) continue;
      if (ch === ";" || ch === "{" || ch === "}") {
        const problem = punctuation(ch);
        if (problem) return fail(problem);
        continue;
      }
      if (ch === "#") {
        comment = true;
        continue;
      }
      word = { text: "", quoted: false, line };
      if (ch === '"' || ch === "'") {
        quote = ch;
        word.quoted = true;
      } else if (ch === "\\") {
        escaped = true;
      } else {
        word.text = ch;
        variable = ch === "$";
      }
      continue;
    }
    if (ch === "\\") {
      escaped = true;
      variable = false;
      continue;
    }
    if (quote) {
      if (ch === quote) {
        quote = null;
        needSpace = true;
        endWord();
      } else {
        word.text += ch;
      }
      continue;
    }
    if (ch === "{" && variable) {
      // `${name}`: the variable's braces belong to the word, up to the matching `}`.
      word.text += ch;
      variable = false;
      continue;
    }
    variable = ch === "$";
    if (SPACE.has(ch) || ch === ";" || ch === "{") {
      endWord();
      if (ch !== ";" && ch !== "{") continue;
      const problem = punctuation(ch);
      if (problem) return fail(problem);
      continue;
    }
    word.text += ch;
  }

  if (quote) return fail(`A ${quote === '"' ? "double" : "single"} quote is not closed.`);
  if (escaped) return fail("The text ends with a backslash that escapes nothing.");
  if (word) endWord();
  if (args > 0) return fail(`The last directive is not finished with ";".`);
  return { ok: true, tokens };
}

/**
 * Why the text cannot sit inside a server block as it is, or null: it must tokenize, and its
 * blocks must close exactly what they open (never the server block around them).
 */
export function nginxBlockProblem(text: string): string | null {
  const result = tokenizeNginx(text);
  if (!result.ok) return result.problem;
  let depth = 0;
  for (const token of result.tokens) {
    if (token.kind === "{") depth++;
    if (token.kind === "}" && --depth < 0) return `Unbalanced braces: the } on line ${token.line} closes a block that was not opened here.`;
  }
  if (depth !== 0) return "Unbalanced braces: a { is not closed.";
  return null;
}
