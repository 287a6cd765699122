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
  "exec:host-access-container",
  // Images, volumes and networks of an agent: granted like their container counterparts (docs/decisions/075).
  "read:docker-object",
  "operate:docker-object",
  "delete:docker-object",
  "read:logs",
  "read:proxy",
  "manage:proxy",
  "manage:proxy-advanced",
  "read:certificate",
  "manage:certificate",
  "read:alert",
  "manage:alert",
  "read:monitor",
  "manage:monitor",
  "read:health",
  "read:user",
  "manage:user",
  "read:audit",
  "manage:settings",
  "manage:agent",
  "manage:org",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const viewer: Permission[] = [
  "read:dashboard",
  "read:container",
  "read:docker-object",
  "read:proxy",
  "read:certificate",
  "read:alert",
  "read:monitor",
  "read:health",
];
const operator: Permission[] = [...viewer, "operate:container", "operate:docker-object", "read:logs"];
const admin: Permission[] = [
  ...operator,
  "delete:container",
  "delete:docker-object",
  "reveal:secret",
  "exec:container",
  "manage:proxy",
  "manage:certificate",
  "manage:alert",
  "manage:monitor",
  "read:user",
  "manage:user",
  "read:audit",
  "manage:settings",
  // Enrollment tokens and remote agents (SaaS): a node joined to the organization runs its commands.
  "manage:agent",
];
// A terminal next to the Docker socket or in a privileged container is a shell on the host.
const superAdmin: Permission[] = [...admin, "exec:host-access-container", "manage:proxy-advanced", "manage:org"];

export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  viewer: new Set(viewer),
  operator: new Set(operator),
  admin: new Set(admin),
  super_admin: new Set(superAdmin),
};

/** Permissions that only read (a suspended organization keeps these, decision 096). */
export function isReadOnlyPermission(permission: Permission): boolean {
  return permission.startsWith("read:") || permission === "reveal:secret";
}

export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].has(permission);
}

/** Whether `actor` may hand out `target` (never a role above one's own). */
export function canGrantRole(actor: Role, target: Role): boolean {
  return ROLES.indexOf(target) >= ROLES.indexOf(actor);
}

/** What an API token may do, on top of its owner's role. */
export const TOKEN_SCOPES = ["read", "operate", "admin"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export function scopeAllows(scope: TokenScope | undefined, permission: Permission): boolean {
  if (!scope || scope === "admin") return true;
  if (permission.startsWith("read:")) return true;
  return scope === "operate" && permission.startsWith("operate:");
}

/** The broadest scope a role may put on a token: never more than the role itself can do. */
export function maxScopeFor(role: Role): TokenScope {
  if (role === "viewer") return "read";
  if (role === "operator") return "operate";
  return "admin";
}

export function scopeWithin(role: Role, scope: TokenScope): boolean {
  return TOKEN_SCOPES.indexOf(scope) <= TOKEN_SCOPES.indexOf(maxScopeFor(role));
}
