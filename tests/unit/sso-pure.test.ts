// The pure parts of single sign-on: LDAP filter escaping (RFC 4515), group names from DNs, the
// group → role mapping, what counts as an IdP-asserted second factor, and the settings form's
// "group = role" lines.
import { describe, expect, test } from "vitest";
import { buildFilter, escapeFilterValue, groupNameFromDn } from "~/server/sso/ldap-filter";
import { parseGroupRoleMap } from "~/server/sso/page-actions.server";
import { denialCode } from "~/server/sso/sso-page.server";
import { groupsFromClaim, idpAssertedMfa, isDemotion, nextRole, roleFromGroups } from "~/server/sso/role-mapping";

describe("LDAP filters", () => {
  test.each([
    ["*)(uid=*", "\\2a\\29\\28uid=\\2a"],
    ["a\\b", "a\\5cb"],
    ["nul\u0000", "nul\\00"],
    ["José", "Jos\\c3\\a9"],
    ["plain.user-1", "plain.user-1"],
  ])("%j is escaped to %j", (input, escaped) => {
    expect(escapeFilterValue(input)).toBe(escaped);
  });

  test("templates get escaped values for {username} and {dn}", () => {
    expect(buildFilter("(&(objectClass=person)(uid={username}))", { username: "*)(|(uid=*" })).toBe("(&(objectClass=person)(uid=\\2a\\29\\28|\\28uid=\\2a))");
    expect(buildFilter("(member={dn})", { dn: "uid=a(b),ou=people" })).toBe("(member=uid=a\\28b\\29,ou=people)");
  });

  test("a group's cn is read from its DN, escapes included", () => {
    expect(groupNameFromDn("cn=infra-admins,ou=groups,dc=example,dc=com")).toBe("infra-admins");
    expect(groupNameFromDn("CN=Domain Admins,CN=Users,DC=corp")).toBe("Domain Admins");
    expect(groupNameFromDn("cn=a\\,b,ou=groups")).toBe("a,b");
    expect(groupNameFromDn("ou=groups,dc=example")).toBeNull();
  });
});

describe("group → role", () => {
  const map = [
    { group: "admins", role: "admin" as const },
    { group: "ops", role: "operator" as const },
  ];
  test("the highest matching role wins, otherwise the default", () => {
    expect(roleFromGroups(map, ["ops", "admins"], "viewer")).toBe("admin");
    expect(roleFromGroups(map, ["ops"], "viewer")).toBe("operator");
    expect(roleFromGroups(map, ["Admins"], "viewer")).toBe("viewer");
    expect(roleFromGroups(map, [], "operator")).toBe("operator");
  });
  test("super_admin is never handed out by a mapping, and never taken away by one", () => {
    expect(roleFromGroups([{ group: "g", role: "super_admin" }], ["g"], "viewer")).toBe("viewer");
    expect(roleFromGroups([], [], "super_admin")).toBe("viewer");
    expect(nextRole("super_admin", "viewer")).toBe("super_admin");
    expect(nextRole("admin", "viewer")).toBe("viewer");
  });
  test("demotion means a role with fewer rights", () => {
    expect(isDemotion("admin", "operator")).toBe(true);
    expect(isDemotion("viewer", "admin")).toBe(false);
    expect(isDemotion("operator", "operator")).toBe(false);
  });
  test("a groups claim may be a list or one string", () => {
    expect(groupsFromClaim(["a", 1, "b"])).toEqual(["a", "b"]);
    expect(groupsFromClaim("a")).toEqual(["a"]);
    expect(groupsFromClaim(undefined)).toEqual([]);
  });
});

test("an IdP asserts a second factor with amr mfa, or a possession/inherence method plus another", () => {
  expect(idpAssertedMfa(["mfa"])).toBe(true);
  expect(idpAssertedMfa(["pwd", "otp"])).toBe(true);
  expect(idpAssertedMfa(["hwk", "pin"])).toBe(true);
  expect(idpAssertedMfa(["pwd"])).toBe(false);
  expect(idpAssertedMfa(["otp"])).toBe(false);
  expect(idpAssertedMfa([])).toBe(false);
});

test("the settings form's group lines become the mapping, a bad line is named", () => {
  expect(parseGroupRoleMap("ops = operator\n\n admins=admin \n")).toEqual({ map: [{ group: "ops", role: "operator" }, { group: "admins", role: "admin" }] });
  expect(parseGroupRoleMap("ops operator").error).toBe("Line 1: write “group = role”.");
  expect(parseGroupRoleMap("cn=x,dc=y = admin").map).toEqual([{ group: "cn=x,dc=y", role: "admin" }]);
});

test("refusal reasons become the login page's codes", () => {
  expect(denialCode("unknown, used or expired state")).toBe("expired");
  expect(denialCode("state not bound to this browser")).toBe("other_browser");
  expect(denialCode("email not verified")).toBe("email_unverified");
  expect(denialCode("no account (JIT off)")).toBe("no_account");
  expect(denialCode("account outside the organization")).toBe("no_account");
  expect(denialCode("idp error: access_denied")).toBe("idp");
  expect(denialCode("oidc check: something")).toBe("failed");
});
