// Browser side of "a second tab never acts on the wrong organization silently" (decision 090):
// every same-origin fetch of this tab (Remix actions, API calls) carries the organization the
// page was rendered for, the /ui socket sends it in its handshake, and a switch in one tab tells
// the others through a BroadcastChannel. The server refuses a mismatch (409 org_mismatch).
import { ORG_HEADER } from "~/validation/orgs";

let renderedOrg: string | null = null;
let installed = false;

export const ORG_MISMATCH_EVENT = "infrapilot:org-mismatch";
const CHANNEL = "infrapilot-org";

export function renderedOrgId(): string | null {
  return renderedOrg;
}

/** Called by the app layout after each render with the organization the page shows. */
export function setRenderedOrg(orgId: string): void {
  if (typeof window === "undefined") return;
  renderedOrg = orgId;
  if (installed) return;
  installed = true;
  const original = window.fetch.bind(window);
  window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    if (renderedOrg && new URL(request.url).origin === window.location.origin && !request.headers.has(ORG_HEADER)) {
      request.headers.set(ORG_HEADER, renderedOrg);
    }
    return original(request);
  };
}

/** Tells the other tabs of this browser that the session now works in `orgId`. */
export function announceSwitch(orgId: string, name: string): void {
  if (typeof BroadcastChannel === "undefined") return;
  const channel = new BroadcastChannel(CHANNEL);
  channel.postMessage({ orgId, name });
  channel.close();
}

/** Calls `onOther` when another tab switched to an organization this tab is not showing. */
export function listenForSwitches(onOther: (org: { orgId: string; name: string }) => void): () => void {
  if (typeof BroadcastChannel === "undefined") return () => {};
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (event: MessageEvent<{ orgId: string; name: string }>) => {
    if (event.data?.orgId && event.data.orgId !== renderedOrg) onOther(event.data);
  };
  const onMismatch = () => onOther({ orgId: "", name: "" });
  window.addEventListener(ORG_MISMATCH_EVENT, onMismatch);
  return () => {
    channel.close();
    window.removeEventListener(ORG_MISMATCH_EVENT, onMismatch);
  };
}
