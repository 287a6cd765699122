// Pure parts of SaaS organizations: slugs, invitation states, deletion order, SIGNUP validation.
import { describe, expect, test } from "vitest";
import { parseEnv } from "~/server/env.server";
import { invitationState } from "~/server/orgs/invitations.server";
import { childrenFirst } from "~/server/orgs/org-delete.server";
import { slugify, withSuffix } from "~/server/orgs/slug";

describe("slugs", () => {
  test("are lower-case ASCII words joined by dashes, at most 40 characters, at least 2", () => {
    expect(slugify("Acme GmbH & Co.")).toBe("acme-gmbh-co");
    expect(slugify("Café Zürich")).toBe("cafe-zurich");
    expect(slugify("日本")).toBe("org");
    expect(slugify("X")).toBe("org-x");
    expect(slugify("a".repeat(60)).length).toBe(40);
    expect(withSuffix("acme", "a1b2c3")).toBe("acme-a1b2c3");
  });
});

describe("invitation state", () => {
  const future = new Date(Date.now() + 60_000);
  test("revoked wins over used, used over expired", () => {
    expect(invitationState({ revokedAt: new Date(), usedAt: new Date(), expiresAt: future })).toBe("revoked");
    expect(invitationState({ revokedAt: null, usedAt: new Date(), expiresAt: new Date(0) })).toBe("used");
    expect(invitationState({ revokedAt: null, usedAt: null, expiresAt: new Date(0) })).toBe("expired");
    expect(invitationState({ revokedAt: null, usedAt: null, expiresAt: future })).toBe("pending");
  });
});

describe("deletion order", () => {
  test("a table comes after every table that references it", () => {
    const order = childrenFirst(["AlertEvent", "AlertDelivery", "AlertRule", "Monitor"], [
      { from: "AlertDelivery", to: "AlertEvent" },
      { from: "AlertEvent", to: "AlertRule" },
      { from: "Monitor", to: "Organization" },
    ]);
    expect(order.indexOf("AlertDelivery")).toBeLessThan(order.indexOf("AlertEvent"));
    expect(order.indexOf("AlertEvent")).toBeLessThan(order.indexOf("AlertRule"));
    expect(order).toHaveLength(4);
  });
});

describe("SIGNUP", () => {
  test("defaults to invite and accepts only open, invite or closed", () => {
    expect(parseEnv({}).SIGNUP).toBe("invite");
    expect(parseEnv({ SIGNUP: "open" }).SIGNUP).toBe("open");
    expect(() => parseEnv({ SIGNUP: "yes" })).toThrow(/SIGNUP: expected open, invite or closed/);
  });
});
