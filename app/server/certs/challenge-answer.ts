// What our pre-flight got back from nginx for a probe token under /.well-known/acme-challenge/,
// said as the cause a user can act on. Pure: issuance.server.ts fetches, this explains. The
// status names the cause (401 basic auth, 403 IP rules or a deny, 429 a rate limit, 3xx a
// redirect, 404 another location or root), instead of blaming advanced directives for everything.
import { STATUS_CODES } from "node:http";

export interface ChallengeAnswer {
  domain: string;
  status: number;
  /** What nginx sent back, first bytes only. */
  body: string;
  /** The Location header of a redirect, if any. */
  location?: string | null;
  /** What the probe file holds; a 200 with anything else is someone else answering. */
  expected: string;
}

/** null when the answer is what the CA needs to see; otherwise the pre-flight's message. */
export function challengeAnswerProblem(answer: ChallengeAnswer): string | null {
  const { domain, status } = answer;
  if (status === 200 && answer.body.trim() === answer.expected) return null;
  const what = `nginx does not serve the ACME challenge for ${domain}: the challenge URL (http://${domain}/.well-known/acme-challenge/…) answered`;
  const reason = STATUS_CODES[status] ? ` ${status} ${STATUS_CODES[status]}` : ` ${status}`;
  const cause = causeOf(answer);
  return `${what}${reason}${status >= 300 && status < 400 && answer.location ? ` (to ${printable(answer.location)})` : ""}: ${cause} The CA would get the same answer, so issuance would fail; fix that and retry.`;
}

function causeOf({ status, body }: ChallengeAnswer): string {
  if (status === 200) return `it returned other content than the challenge file (${JSON.stringify(printable(body.trim()).slice(0, 80))}), so something else answers that path, e.g. a location in the host's advanced directives.`;
  if (status === 401) return "something asks for a password there: basic authentication in the host's advanced directives (InfraPilot's own access lists exempt the challenge).";
  if (status === 403) return "access is refused there: an allow/deny rule or exploit blocking in the host's advanced directives (InfraPilot's own access lists and exploit blocking exempt the challenge).";
  if (status === 429) return "a rate limit applies there: a limit_req in the host's advanced directives (InfraPilot's own rate limits exempt the challenge).";
  if (status >= 300 && status < 400) return "the request is redirected, and the CA must get the file over plain HTTP on this name: a redirect in the host's advanced directives (forced HTTPS exempts the challenge).";
  if (status === 404) return "the probe file was not found: a location in the host's advanced directives may take over /.well-known/acme-challenge/, or the ACME webroot is not the one nginx serves.";
  if (status >= 500) return "nginx failed to answer it; see the host's error log on the Logs page.";
  return "that is not the challenge file.";
}

/** The answer is nginx's or a stranger's: no control character of it reaches the stored message. */
function printable(value: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what it removes
  return value.replace(/[\u0000-\u001f\u007f]/g, " ");
}
