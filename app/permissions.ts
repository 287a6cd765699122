// Roles and their typed permissions. Pure and shared: the server enforces with it, the UI mirrors
// it to hide what a user cannot use.
export const ROLES = ["super_admin", "admin", "operator", "viewer"] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  "read:dashboard",
  "read:container",
  "operate:container",
  "delete:container",
  "reveal:secret",
  "exec:container",
  "read:logs",
  "read:proxy",
  "manage:proxy",
  "manage:proxy-advanced",
  "read:certificate",
  "manage:certificate",
  "read:alert",
  "manage:alert",
  "read:health",
  "read:user",
  "manage:user",
  "read:audit",
  "manage:settings",
  "manage:org",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const viewer: Permission[] = [
  "read:dashboard",
  "read:container",
  "read:proxy",
  "read:certificate",
  "read:alert",
  "read:health",
];
const operator: Permission[] = [...viewer, "operate:container", "read:logs"];
const admin: Permission[] = [
  ...operator,
  "delete:container",
  "reveal:secret",
  "exec:container",
  "manage:proxy",
  "manage:certificate",
  "manage:alert",
  "read:user",
  "manage:user",
  "read:audit",
  "manage:settings",
];
const superAdmin: Permission[] = [...admin, "manage:proxy-advanced", "manage:org"];

export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  viewer: new Set(viewer),
  operator: new Set(operator),
  admin: new Set(admin),
  super_admin: new Set(superAdmin),
};

export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].has(permission);
}

/** Whether `actor` may hand out `target` (never a role above one's own). */
export function canGrantRole(actor: Role, target: Role): boolean {
  return ROLES.indexOf(target) >= ROLES.indexOf(actor);
}
