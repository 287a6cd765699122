// The one-time setup code. Until the first administrator exists, whoever reaches /setup first owns
// the instance; from the machine itself that is the person who started it, but from anywhere else
// it could be anyone who found the port (or a DNS-rebinding page). So, like Grafana's and
// Portainer's first-run guards, setup from another machine needs a code that InfraPilot prints in
// its own log at start: reading that log proves you run the server. Only the code's SHA-256 is
// kept, in memory; a restart prints a new one until setup is done.
import { randomInt } from "node:crypto";
import { sha256Hex, safeEqual } from "../crypto.server";
import { SetupCodeError } from "../errors.server";
import { logger } from "../logger.server";
import { getSingleton, setSingleton } from "../singleton.server";
import { setupNeeded } from "./setup.server";

// No 0/O, 1/I/L: the code is read from a terminal and typed by hand.
const ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const KEY = "setupCodeHash";

/** Pure: 3 groups of 4 characters from a 31-letter alphabet (about 59 bits). */
export function generateSetupCode(pick: (n: number) => number = randomInt): string {
  const chars = Array.from({ length: 12 }, () => ALPHABET[pick(ALPHABET.length)]!);
  return [0, 4, 8].map((i) => chars.slice(i, i + 4).join("")).join("-");
}

/** Pure: what was typed, as it is compared (case, spaces and dashes do not matter). */
export function normaliseSetupCode(typed: string): string {
  return typed.toUpperCase().replace(/[\s-]+/g, "");
}

function issue(): void {
  const code = generateSetupCode();
  setSingleton(KEY, sha256Hex(normaliseSetupCode(code)));
  logger.announce("InfraPilot is not set up yet. To create the first administrator from another machine, enter this one-time setup code on the setup page (from this machine itself no code is needed).", { setupCode: code });
}

/** At start: prints a fresh code when setup is still to be done. */
export async function announceSetupCode(): Promise<void> {
  if (await setupNeeded()) issue();
}

/** Whether the setup page must ask this client for the code. */
export function setupCodeRequired(clientIsLocal: boolean): boolean {
  return !clientIsLocal;
}

/** Throws SetupCodeError unless the client is local or typed the code printed in the log. */
export function checkSetupCode(typed: string | undefined, clientIsLocal: boolean): void {
  if (clientIsLocal) return;
  let expected = getSingleton<string>(KEY);
  if (!expected) {
    // E.g. the development server, which prints nothing at start: print one now.
    issue();
    expected = getSingleton<string>(KEY)!;
  }
  if (!typed?.trim()) {
    throw new SetupCodeError("Enter the setup code. InfraPilot printed it in its log when it started (look for \"setupCode\"); from the machine InfraPilot runs on, no code is needed.", "setup_code_required");
  }
  if (!safeEqual(sha256Hex(normaliseSetupCode(typed)), expected)) {
    logger.warn("refused setup with a wrong setup code");
    throw new SetupCodeError("That setup code is not right. Use the one in InfraPilot's log from its latest start (look for \"setupCode\").", "setup_code_invalid");
  }
}

/** After setup: the code has done its job. */
export function forgetSetupCode(): void {
  setSingleton(KEY, undefined);
}
