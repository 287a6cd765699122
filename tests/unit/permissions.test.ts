import { describe, expect, test } from "vitest";
import { can, canGrantRole, PERMISSIONS, ROLES, type Permission, type Role } from "~/permissions";

// The matrix users rely on, written out in full so a change to a role is a visible diff here.
const MATRIX: Record<Permission, Role[]> = {
  "read:dashboard": ["super_admin", "admin", "operator", "viewer"],
  "read:container": ["super_admin", "admin", "operator", "viewer"],
  "operate:container": ["super_admin", "admin", "operator"],
  "delete:container": ["super_admin", "admin"],
  "reveal:secret": ["super_admin", "admin"],
  "exec:container": ["super_admin", "admin"],
  "exec:host-access-container": ["super_admin"],
  "read:docker-object": ["super_admin", "admin", "operator", "viewer"],
  "operate:docker-object": ["super_admin", "admin", "operator"],
  "delete:docker-object": ["super_admin", "admin"],
  "read:logs": ["super_admin", "admin", "operator"],
  "read:proxy": ["super_admin", "admin", "operator", "viewer"],
  "manage:proxy": ["super_admin", "admin"],
  "manage:proxy-advanced": ["super_admin"],
  "read:certificate": ["super_admin", "admin", "operator", "viewer"],
  "manage:certificate": ["super_admin", "admin"],
  "read:alert": ["super_admin", "admin", "operator", "viewer"],
  "manage:alert": ["super_admin", "admin"],
  "read:monitor": ["super_admin", "admin", "operator", "viewer"],
  "manage:monitor": ["super_admin", "admin"],
  "read:health": ["super_admin", "admin", "operator", "viewer"],
  "read:user": ["super_admin", "admin"],
  "manage:user": ["super_admin", "admin"],
  "read:audit": ["super_admin", "admin"],
  "manage:settings": ["super_admin", "admin"],
  "manage:agent": ["super_admin", "admin"],
  "manage:org": ["super_admin"],
};

describe("role permissions", () => {
  test("the matrix covers every permission", () => {
    expect(Object.keys(MATRIX).sort()).toEqual([...PERMISSIONS].sort());
  });

  for (const permission of PERMISSIONS) {
    test(`${permission} is granted to exactly ${MATRIX[permission].join(", ")}`, () => {
      for (const role of ROLES) expect(can(role, permission), `${role} / ${permission}`).toBe(MATRIX[permission].includes(role));
    });
  }

  test("a role can hand out its own role and lower ones, never higher", () => {
    expect(canGrantRole("admin", "viewer")).toBe(true);
    expect(canGrantRole("admin", "admin")).toBe(true);
    expect(canGrantRole("admin", "super_admin")).toBe(false);
    expect(canGrantRole("operator", "admin")).toBe(false);
    expect(canGrantRole("super_admin", "super_admin")).toBe(true);
  });
});
