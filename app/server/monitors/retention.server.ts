// Raw check results are kept 90 days, the longest uptime window (decision 060). Deleted per
// organization in its own tenant transaction, in batches so one run never holds a long lock.
import { systemDb, withOrg } from "../db/client.server";

export const RESULT_RETENTION_DAYS = 90;

export async function pruneMonitorResults(now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - RESULT_RETENTION_DAYS * 86_400_000);
  const orgs = await systemDb().$queryRaw<{ orgId: string }[]>`SELECT "orgId" FROM monitor_org_ids()`;
  let removed = 0;
  for (const { orgId } of orgs) {
    for (;;) {
      const n = await withOrg(orgId, (tx) =>
        tx.$executeRaw`DELETE FROM "MonitorResult" WHERE id IN (SELECT id FROM "MonitorResult" WHERE time < ${cutoff} LIMIT 10000)`,
      );
      removed += n;
      if (n < 10_000) break;
    }
  }
  return removed;
}
