// The operator's database handle. The platform audit trail and the all-organizations summary are
// visible only in a transaction marked as the operator's (app.platform = 'operator', transaction-
// local like app.org_id); callers pass a PlatformActor, which only requirePlatformAdmin (or the
// setup verb that creates the operator) produces, so no tenant code path can open one by accident.
import { withPlatformSetting, type Tx } from "../db/client.server";

export function withPlatform<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
  return withPlatformSetting(fn);
}
