// The one module that talks to acme-client (RFC 8555). Callers get plain data: an account key in
// PEM, the account URL, and for an order the certificate chain and its private key. HTTP-01 is the
// only challenge type; the caller publishes and removes the key authorization (the agent's
// webroot). Failures become AcmeError carrying the CA's own words (e.g. pebble's or Let's
// Encrypt's "Connection refused" / "Invalid response from …").
// Loaded on first use: acme-client weighs ~25 MB of memory that an idle install does not need.
const loadAcme = () => import("acme-client").then((m) => m.default);

export class AcmeError extends Error {
  constructor(
    message: string,
    /** The CA's own message, when the CA answered. */
    readonly caMessage: string | null,
  ) {
    super(message);
    this.name = "AcmeError";
  }
}

export interface AcmeAccountRef {
  directoryUrl: string;
  keyPem: string;
  /** Null until registered. */
  accountUrl: string | null;
  email?: string | null;
}

export interface Http01Publisher {
  put(token: string, keyAuthorization: string): Promise<void>;
  remove(token: string): Promise<void>;
}

export async function createAccountKey(): Promise<string> {
  const acme = await loadAcme();
  return (await acme.crypto.createPrivateEcdsaKey("P-256")).toString();
}

async function client(account: AcmeAccountRef) {
  const acme = await loadAcme();
  return new acme.Client({
    directoryUrl: account.directoryUrl,
    accountKey: account.keyPem,
    ...(account.accountUrl ? { accountUrl: account.accountUrl } : {}),
    // Polls of challenge/order status: about 30 s in all before giving up.
    backoffAttempts: 12,
    backoffMin: 250,
    backoffMax: 5000,
  });
}

/** Creates (or finds, for an existing key) the ACME account; returns its URL. */
export async function registerAccount(account: AcmeAccountRef): Promise<string> {
  const c = await client({ ...account, accountUrl: null });
  try {
    await c.createAccount({ termsOfServiceAgreed: true, ...(account.email ? { contact: [`mailto:${account.email}`] } : {}) });
    return c.getAccountUrl();
  } catch (error) {
    throw toAcmeError(error, "The CA refused to create an ACME account");
  }
}

/** Orders a certificate for `domains` through HTTP-01; resolves with the full chain and its new key. */
export async function orderCertificate(account: AcmeAccountRef, domains: string[], publisher: Http01Publisher): Promise<{ certificatePem: string; keyPem: string }> {
  if (!account.accountUrl) throw new Error("register the ACME account first");
  const c = await client(account);
  try {
    const acme = await loadAcme();
    const [key, csr] = await acme.crypto.createCsr({ altNames: domains }, await acme.crypto.createPrivateEcdsaKey("P-256"));
    const chain = await c.auto({
      csr,
      termsOfServiceAgreed: true,
      challengePriority: ["http-01"],
      // Our own pre-flight check (against nginx on its real port) ran before; acme-client's
      // would fetch http://<domain>:80, which is not where nginx listens in every setup.
      skipChallengeVerification: true,
      challengeCreateFn: async (_authz, challenge, keyAuthorization) => {
        if (challenge.type !== "http-01") throw new AcmeError("The CA offered no HTTP-01 challenge for this name.", null);
        await publisher.put(challenge.token, keyAuthorization);
      },
      challengeRemoveFn: async (_authz, challenge) => {
        if (challenge.type === "http-01") await publisher.remove(challenge.token);
      },
    });
    return { certificatePem: chain.toString(), keyPem: key.toString() };
  } catch (error) {
    throw toAcmeError(error, "The CA did not issue the certificate");
  }
}

function toAcmeError(error: unknown, what: string): AcmeError {
  if (error instanceof AcmeError) return error;
  const e = error as { message?: string; code?: string; response?: { data?: { detail?: string } } };
  // acme-client puts the CA's problem detail in the message; network errors carry a code.
  const detail = e.response?.data?.detail ?? e.message ?? String(error);
  if (e.code && /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|CERT|SELF_SIGNED|UNABLE_TO/.test(e.code)) {
    return new AcmeError(`${what}: the CA could not be reached (${e.code}: ${detail}). Check ACME_DIRECTORY_URL and this server's outbound access.`, null);
  }
  return new AcmeError(`${what}: ${detail}`, detail);
}
