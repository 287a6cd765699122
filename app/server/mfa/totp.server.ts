// TOTP through otplib, behind our own functions. ±1 time step (30 s) either side.
import { generateSecret, generateURI, verify } from "otplib";

export const TOTP_ISSUER = "InfraPilot";

export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

export function totpUri(secret: string, accountLabel: string): string {
  return generateURI({ issuer: TOTP_ISSUER, label: accountLabel, secret });
}

/** The time step the code belongs to when valid and newer than `afterStep`; otherwise null. */
export async function matchTotp(secret: string, code: string, afterStep?: number | null): Promise<number | null> {
  const token = code.replace(/\s+/g, "");
  if (!/^\d{6}$/.test(token)) return null;
  const result = await verify({ secret, token, epochTolerance: 30, ...(afterStep != null ? { afterTimeStep: afterStep } : {}) }).catch(() => null);
  return result && result.valid && "timeStep" in result ? result.timeStep : null;
}
