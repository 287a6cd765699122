// The pre-flight's words for what nginx answered on the challenge path: the real status and its
// cause, not one catch-all sentence about advanced directives.
import { describe, expect, it } from "vitest";
import { challengeAnswerProblem } from "~/server/certs/challenge-answer";

const base = { domain: "app.example.com", expected: "probe-value", body: "", location: null };

describe("challengeAnswerProblem", () => {
  it("accepts the probe file served as is", () => {
    expect(challengeAnswerProblem({ ...base, status: 200, body: "probe-value\n" })).toBeNull();
  });

  it.each([
    [401, /answered 401 Unauthorized: something asks for a password there: basic authentication/],
    [403, /answered 403 Forbidden: access is refused there: an allow\/deny rule or exploit blocking/],
    [429, /answered 429 Too Many Requests: a rate limit applies there/],
    [404, /answered 404 Not Found: the probe file was not found/],
    [502, /answered 502 Bad Gateway: nginx failed to answer it/],
  ])("refuses a challenge URL that answered %i and names that cause", (status, message) => {
    const problem = challengeAnswerProblem({ ...base, status, body: "<html>…</html>" });
    expect(problem).toMatch(/^nginx does not serve the ACME challenge for app\.example\.com: the challenge URL \(http:\/\/app\.example\.com\/\.well-known\/acme-challenge\/…\) answered/);
    expect(problem).toMatch(message);
    expect(problem).not.toMatch(/remove them and retry/);
  });

  it("refuses a redirect and says where it went", () => {
    const problem = challengeAnswerProblem({ ...base, status: 301, location: "https://app.example.com/.well-known/acme-challenge/x" });
    expect(problem).toMatch(/answered 301 Moved Permanently \(to https:\/\/app\.example\.com\/\.well-known\/acme-challenge\/x\): the request is redirected/);
  });

  it("refuses a 200 whose body is not the challenge file, quoting what came back", () => {
    const problem = challengeAnswerProblem({ ...base, status: 200, body: "<h1>Welcome to my app</h1>" });
    expect(problem).toMatch(/answered 200 OK: it returned other content than the challenge file \("<h1>Welcome to my app<\/h1>"\)/);
  });

  it("keeps control characters from the answer out of the message", () => {
    const problem = challengeAnswerProblem({ ...base, status: 302, location: "https://x.test/\r\nSet-Cookie: a=b" });
    expect(problem).not.toMatch(/[\r\n]/);
  });
});
