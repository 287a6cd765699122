// Pure: removes one-time secrets from text bound for the logs. Invitation links carry their token
// in the path, and any `…token=`/`…code=` query value may be one too; logs are read by more
// people (and kept longer, and shipped further) than the database, so a token in a log line is a
// working account takeover for anyone who can read it. The logger runs every line through this,
// so no call site has to remember.

const REDACTED = "[redacted]";

/** Path segments whose next segment is a secret. */
const SECRET_PATH = /(\/invite\/)[^/?#\s"'\\]+/gi;
/**
 * `name=value` pairs (query strings, form bodies). The lookbehind lets a name start only where a
 * run of name characters starts, so a long line without `=` costs linear time, not quadratic.
 */
const PARAM = /(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]{1,64})=([^&#\s"'\\]+)/g;
/** Names that say their value is secret. */
const SECRET_NAME = /(?:token|code|secret|password|challenge)$/i;
/** `Authorization: Bearer …` values that end up in an error message. */
const BEARER = /(\bbearer\s+)[A-Za-z0-9._~+/=-]+/gi;

export function redactSecrets(text: string): string {
  return text
    .replace(SECRET_PATH, `$1${REDACTED}`)
    .replace(PARAM, (pair, name: string) => (SECRET_NAME.test(name) ? `${name}=${REDACTED}` : pair))
    .replace(BEARER, `$1${REDACTED}`);
}
