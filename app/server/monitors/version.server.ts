// A process-wide counter the monitor verbs bump and the scheduler watches, so a saved monitor is
// scheduled at once (globalThis: the Remix build and server.ts hold separate module copies).
import { singleton } from "../singleton.server";

const version = () => singleton("monitors:version", () => ({ value: 0 }));

export function bumpMonitorsVersion(): void {
  version().value++;
}

export function monitorsVersion(): number {
  return version().value;
}
