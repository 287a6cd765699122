import type { Role } from "~/permissions";

export interface UserDto {
  id: string;
  email: string;
  name: string;
  role: Role;
  mfaEnabled: boolean;
  disabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

export function toUserDto(
  user: { id: string; email: string; name: string; mfaEnabled: boolean; disabled: boolean; createdAt: Date; lastLoginAt: Date | null },
  role: Role,
): UserDto {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role,
    mfaEnabled: user.mfaEnabled,
    disabled: user.disabled,
    createdAt: user.createdAt.toISOString(),
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
  };
}
