// Pure: what in a container's configuration is secret, and the masked view of it
// (docs/decisions/050). Everyone who may read a container sees its env, command, entrypoint and
// labels; credentials in them are masked by two rules:
// - by key: a variable or label whose name says it holds a secret (PASS, TOKEN, KEY, DSN…) is
//   masked whole;
// - by value: credentials inside any value are masked where they sit, the rest stays readable
//   (`postgres://app:••••@db/app`, `--password=••••`, `-p••••`, `Bearer ••••`, PEM blocks).
// Masking errs towards hiding: a harmless value that looks secret costs an admin one reveal.
import type { EnvVar } from "#agent/types";

export const MASK = "••••";

const SECRET_WORD = /PASS|PWD|SECRET|TOKEN|KEY|CREDENTIAL|AUTH|DSN|PRIVATE|COOKIE|SESSION|SALT|CERT/i;
// Names that contain a secret word without being one (OCI's image.authors label).
const NOT_SECRET = /AUTHORS?/gi;

/** Whether a variable, label or flag name says its value is a secret. */
export function secretKey(key: string): boolean {
  return SECRET_WORD.test(key.replace(NOT_SECRET, ""));
}

const PEM = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
// scheme://user:password@host — the password may itself hold '@': the userinfo ends at the last
// '@' before the host part.
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:]*):([^\s]*?)@(?=[^\s@/?#]*(?:[/?#\s"']|$))/gi;
const FLAG = /(^|[\s"'])(--?[A-Za-z][\w.-]*)(=|\s+)([^\s"'-][^\s"']*)/g;
const ASSIGNMENT = /(^|[\s;&|"'(?])([A-Za-z_][\w.]*)=([^\s"';&|)]+)/g;
const JSON_PAIR = /"([\w.-]+)"(\s*:\s*)"((?:[^"\\]|\\.)*)"/g;
const MYSQL_PASSWORD = /(^|\s)-p(?![\d:.]+(?:\/[a-z]+)?(?=\s|$))([^\s"']+)/g;
const AUTH_SCHEME = /\b(Bearer|Basic|Token)(\s+)([A-Za-z0-9._~+/=-]{8,})/g;

/** Credentials inside a value, masked in place. */
export function maskInText(text: string): string {
  if (!text) return text;
  return text
    .replace(PEM, (_, label: string) => `-----BEGIN ${label}-----${MASK}-----END ${label}-----`)
    .replace(URL_USERINFO, (_, scheme: string, user: string) => `${scheme}${user}:${MASK}@`)
    .replace(FLAG, (all, lead: string, flag: string, sep: string) => (secretKey(flag) ? `${lead}${flag}${sep}${MASK}` : all))
    .replace(ASSIGNMENT, (all, lead: string, key: string) => (secretKey(key) ? `${lead}${key}=${MASK}` : all))
    .replace(JSON_PAIR, (all, key: string, sep: string) => (secretKey(key) ? `"${key}"${sep}"${MASK}"` : all))
    .replace(MYSQL_PASSWORD, (_, lead: string) => `${lead}-p${MASK}`)
    .replace(AUTH_SCHEME, (_, scheme: string, space: string) => `${scheme}${space}${MASK}`);
}

/** The masked view of one keyed value (env variable, label): whole by key, in place by value. */
export function maskKeyed(key: string, value: string): { value: string; secret: boolean } {
  if (secretKey(key)) return { value: value === "" ? "" : MASK, secret: value !== "" };
  const masked = maskInText(value);
  return { value: masked, secret: masked !== value };
}

/**
 * An argv (command, entrypoint) with credentials masked: `--password x` as two elements masks the
 * second, `--password=x`, `-px` and credentials inside any element (a `sh -c` script) in place.
 */
export function maskArgv(argv: string[] | null): { argv: string[] | null; secret: boolean } {
  if (!argv) return { argv, secret: false };
  let secret = false;
  const out = argv.map((arg, i) => {
    const previous = i > 0 ? argv[i - 1] : "";
    const flagBefore = /^--?[A-Za-z][\w.-]*$/.test(previous) && secretKey(previous);
    const masked = flagBefore && arg !== "" && !arg.startsWith("-") ? MASK : maskInText(arg);
    if (masked !== arg) secret = true;
    return masked;
  });
  return { argv: out, secret };
}

export interface MaskedEnvVar extends EnvVar {
  /** The value was masked (or is the one revealed in this answer). */
  secret: boolean;
}

export function maskEnv(env: EnvVar[], reveal: string | null = null): MaskedEnvVar[] {
  return env.map(({ key, value }) => {
    const masked = maskKeyed(key, value);
    return { key, value: masked.secret && reveal === key ? value : masked.value, secret: masked.secret };
  });
}

export function maskLabels(labels: Record<string, string>, reveal: string | null = null): { labels: Record<string, string>; secretKeys: string[] } {
  const secretKeys: string[] = [];
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) {
    const masked = maskKeyed(key, value);
    if (masked.secret) secretKeys.push(key);
    out[key] = masked.secret && reveal === key ? value : masked.value;
  }
  return { labels: out, secretKeys };
}
