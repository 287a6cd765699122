// A process-wide counter the rule verbs bump and the engine watches, so a saved rule takes effect
// at once. It lives on globalThis because the Remix build (routes) and server.ts (the engine)
// hold separate copies of this module; other replicas pick changes up on their periodic reload.
import { singleton } from "../singleton.server";

const version = () => singleton("alerts:rules-version", () => ({ value: 0 }));

export function bumpRulesVersion(): void {
  version().value++;
}

export function rulesVersion(): number {
  return version().value;
}
