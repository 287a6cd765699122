// Pure: removes one-time secrets from text bound for the logs. Invitation links carry their token
// in the path, and any `…token=`/`…code=` query value may be one too; logs are read by more
// people (and kept longer, and shipped further) than the database, so a token in a log line is a
// working account takeover for anyone who can read it. The logger runs every line through this,
// so no call site has to remember.

const REDACTED = "[redacted]";

/** Path segments whose next segment is a secret. */
const SECRET_PATH = /(\/invite\/)[^/?#\s"'\\]+/gi;
/** Query (or form) values whose name says they are secret. */
const SECRET_PARAM = /([?&;]|\b)([A-Za-z0-9_.-]*(?:token|code|secret|password|challenge))=[^&#\s"'\\]+/gi;
/** `Authorization: Bearer …` values that end up in an error message. */
const BEARER = /(\bbearer\s+)[A-Za-z0-9._~+/=-]+/gi;

export function redactSecrets(text: string): string {
  return text.replace(SECRET_PATH, `$1${REDACTED}`).replace(SECRET_PARAM, `$1$2=${REDACTED}`).replace(BEARER, `$1${REDACTED}`);
}
