// Which agent an agent-scoped page shows (docs/decisions/120): the pure choice and the remembered cookie.
import { describe, expect, it } from "vitest";
import { chooseAgent, readRemembered, remember, withAgent, REMEMBERED_ORGS, type PickerAgent } from "~/agent-choice";

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const agent = (n: number, kind: PickerAgent["kind"], status: PickerAgent["status"]): PickerAgent => ({ id: id(n), name: `a${n}`, kind, status, hostname: null });

describe("chooseAgent", () => {
  const remote = [agent(1, "remote", "offline"), agent(2, "remote", "online"), agent(3, "remote", "online")];

  it("takes the requested agent when it is one of the organization's, and says the choice was explicit", () => {
    expect(chooseAgent(remote, id(3), id(2))).toEqual({ kind: "chosen", agent: remote[2], explicit: true });
  });

  it("answers unknown for an id that is not the organization's (the page answers 404), even with a remembered one", () => {
    expect(chooseAgent(remote, id(9), id(2))).toEqual({ kind: "unknown" });
  });

  it("falls back to the remembered agent, then the first online one", () => {
    expect(chooseAgent(remote, null, id(1))).toMatchObject({ agent: remote[0], explicit: false });
    expect(chooseAgent(remote, null, id(9))).toMatchObject({ agent: remote[1] });
    expect(chooseAgent(remote, undefined, null)).toMatchObject({ agent: remote[1] });
  });

  it("prefers the built-in agent when nothing is asked or remembered (Community looks as before)", () => {
    const community = [agent(2, "remote", "online"), agent(4, "local", "offline")];
    expect(chooseAgent(community, null, null)).toMatchObject({ agent: community[1] });
  });

  it("takes the first agent when none is online, and none when the organization has no agent", () => {
    expect(chooseAgent([agent(5, "remote", "offline"), agent(6, "remote", "offline")], null, null)).toMatchObject({ agent: { id: id(5) } });
    expect(chooseAgent([], null, id(1))).toEqual({ kind: "none" });
    expect(chooseAgent([], id(1), null)).toEqual({ kind: "unknown" });
  });
});

describe("the remembered choice", () => {
  const org = (n: number) => `11111111-0000-4000-8000-${String(n).padStart(12, "0")}`;

  it("is kept per organization, newest first, replacing the organization's previous one", () => {
    let cookie = remember(undefined, org(1), id(1));
    cookie = remember(cookie, org(2), id(2));
    cookie = remember(cookie, org(1), id(3));
    expect(readRemembered(cookie, org(1))).toBe(id(3));
    expect(readRemembered(cookie, org(2))).toBe(id(2));
    expect(readRemembered(cookie, org(3))).toBeNull();
    expect(cookie.split(",")).toHaveLength(2);
  });

  it("keeps a few organizations at most and drops what it did not write", () => {
    let cookie = "garbage,<script>:x";
    for (let n = 0; n < REMEMBERED_ORGS + 3; n++) cookie = remember(cookie, org(n), id(n));
    expect(cookie.split(",")).toHaveLength(REMEMBERED_ORGS);
    expect(cookie).not.toContain("garbage");
    expect(readRemembered(cookie, org(0))).toBeNull();
    expect(readRemembered(cookie, org(REMEMBERED_ORGS + 2))).toBe(id(REMEMBERED_ORGS + 2));
  });
});

describe("withAgent", () => {
  it("adds the chosen agent to a link when the page shows a picker, keeping the query", () => {
    expect(withAgent("/containers", { show: true, agentId: id(1) })).toBe(`/containers?agent=${id(1)}`);
    expect(withAgent("/logs?range=live", { show: true, agentId: id(1) })).toBe(`/logs?range=live&agent=${id(1)}`);
  });

  it("leaves Community's links as they are, and links without an agent", () => {
    expect(withAgent("/containers", { show: false, agentId: id(1) })).toBe("/containers");
    expect(withAgent("/containers", { show: true, agentId: null })).toBe("/containers");
    expect(withAgent("/containers", null)).toBe("/containers");
  });
});
