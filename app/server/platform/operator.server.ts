// The hosted service's operator as an API object: a user with `platformAdmin` and no
// organization, so no tenant role (decision 096).
export interface OperatorDto {
  id: string;
  email: string;
  name: string;
  /** The operator has no role in any organization. */
  role: null;
  platformAdmin: true;
  mfaEnabled: boolean;
  disabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

export function toOperatorDto(user: { id: string; email: string; name: string; mfaEnabled: boolean; disabled: boolean; createdAt: Date; lastLoginAt: Date | null }): OperatorDto {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: null,
    platformAdmin: true,
    mfaEnabled: user.mfaEnabled,
    disabled: user.disabled,
    createdAt: user.createdAt.toISOString(),
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
  };
}
