// Pure: which environment values look secret, and the masked view of a container's env.
import type { EnvVar } from "#agent/types";

export const MASK = "••••";

const SECRET_KEY = /PASSWORD|PASSWD|SECRET|TOKEN|KEY|CREDENTIAL/i;

export function looksSecret(key: string): boolean {
  return SECRET_KEY.test(key);
}

export interface MaskedEnvVar extends EnvVar {
  secret: boolean;
}

export function maskEnv(env: EnvVar[], reveal: boolean): MaskedEnvVar[] {
  return env.map(({ key, value }) => {
    const secret = looksSecret(key);
    return { key, value: secret && !reveal ? MASK : value, secret };
  });
}
