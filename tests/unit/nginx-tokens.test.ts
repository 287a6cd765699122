import { describe, expect, test } from "vitest";
import { nginxBlockProblem, tokenizeNginx } from "~/validation/nginx-tokens";
import { advancedProblem } from "~/validation/proxy";

describe("advanced directives are read the way nginx reads them", () => {
  test.each([
    ['add_header X-A "{}";'],
    ["# comment with }"],
    ["# comment with {"],
    [`return 200 '{"ok":true}';`],
    ["location /x {\n  return 204;\n}"],
    ['add_header X-B "a \\" } b";'],
    ["add_header X-C 'it\\'s } fine';"],
    ["return 200 ${host}x;"],
    ["set $a b;\nreturn 200 $a;"],
    ["add_header X-D a}b;"],
    ["add_header X-E a#b; # and then a comment with } and {"],
    ['add_header X-F "multi\nline { string";'],
    ["location ~ ^/(a|b)$ { return 204; }"],
    ["if ($request_method = POST) {\n  return 405;\n}"],
    ["proxy_set_header X-G \\{;"],
    [""],
    ["   \n  # only a comment\n"],
  ])("%j is accepted", (text) => {
    expect(nginxBlockProblem(text)).toBeNull();
    expect(advancedProblem(text)).toBeNull();
  });

  test.each([
    ["a comment hides the {", "# {\n}\nserver { listen 127.0.0.1:8081; return 200 pwned; }\nserver { listen 127.0.0.1:8082; # }", /closes a block/],
    ["a quoted { balances a real }", 'add_header X "{";\n}\nserver {', /closes a block|not finished|not closed/],
    ["a quoted } hides behind a comment {", "# {\nadd_header X-A \"}\";\n}", /closes a block/],
    ["an unterminated double quote", 'return 200 "abc;', /double quote is not closed/],
    ["an unterminated single quote", "return 200 'abc;\n}", /single quote is not closed/],
    ["an escaped closing quote leaves it open", 'return 200 "abc\\";', /double quote is not closed/],
    ["a trailing backslash", "return 200 abc\\", /backslash/],
    ["a directive without ;", "proxy_buffering off", /not finished/],
    ["a } right after an unfinished directive", "location /x { return 204 }", /not finished/],
    ["text glued to a closing quote", 'add_header X "a"}', /after a quoted string/],
    ["a lone ;", ";", /Unexpected ";"/],
    ["a lone {", "{ return 204; }", /Unexpected "\{"/],
    ["a } closing the server block", "}\nserver {", /closes a block/],
    ["a { never closed", "location /x {", /not closed/],
    ["${ with a space inside", "return 200 ${ host };", /not finished/],
  ])("%s is refused", (_name, text, message) => {
    expect(nginxBlockProblem(text)).toMatch(message);
    expect(advancedProblem(text)).toMatch(message);
  });

  test("tokens carry nginx's words, with quotes and comments gone", () => {
    const result = tokenizeNginx("add_header X-A \"{ }\"; # { not a block\nreturn 200 'a b';");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.tokens.map((t) => (t.kind === "word" ? t.text : t.kind))).toEqual(["add_header", "X-A", "{ }", ";", "return", "200", "a b", ";"]);
    expect(result.tokens.at(-1)).toMatchObject({ line: 2 });
  });

  test("control characters are still refused before anything is read", () => {
    expect(advancedProblem("return 200 a\u0000;")).toMatch(/Control characters/);
  });
});
