// The Agents page. SaaS: the organization's remote agents (status, last seen, round trip,
// version; removing one revokes it) and the enrollment tokens that let a node join, with the
// install lines shown once. Community: the built-in agent, read-only. Decision 130.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useRevalidator } from "@remix-run/react";
import { useEffect } from "react";
import { z } from "zod";
import { CommandLine } from "~/components/agents/install-lines";
import { RouteErrorBoundary } from "~/components/route-error";
import { Badge } from "~/components/ui/badge";
import { ConfirmDialog } from "~/components/ui/confirm-dialog";
import { Field, FormError, PlanLimitLink, SubmitButton } from "~/components/ui/field";
import { Card, EmptyState, PageHeader } from "~/components/ui/page";
import { SelectField } from "~/components/ui/select-field";
import { Time } from "~/components/ui/time";
import { hasFeature } from "~/features";
import { PLAN_LABELS } from "~/plans";
import { getPlan } from "~/server/plans/plan-limits.server";
import { can } from "~/permissions";
import { createEnrollmentToken, listEnrollmentTokens, revokeEnrollmentToken } from "~/server/agents/enrollment.server";
import { listAgents } from "~/server/agents/registry.server";
import { deleteAgent } from "~/server/agents/remote-agents.server";
import { requireUserWithPermission } from "~/server/auth/require.server";
import { edition } from "~/server/edition.server";
import { zodFieldErrors } from "~/server/http/api.server";
import { formFailure } from "~/server/http/form-failure.server";
import { page, parseForm, readForm, redirectWithToast } from "~/server/http/page.server";
import { CreateEnrollmentTokenSchema } from "~/validation/agents";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  const actor = await requireUserWithPermission(request, context, "read:container");
  const remote = hasFeature(edition(), "remoteAgents");
  const canManage = remote && can(actor.role, "manage:agent");
  const [{ items: agents }, tokens, plan] = await Promise.all([
    listAgents(actor),
    canManage ? listEnrollmentTokens(actor) : Promise.resolve([]),
    canManage && hasFeature(edition(), "planLimits") ? getPlan(actor) : Promise.resolve(null),
  ]);
  // At the plan's agent limit a node's enrollment is refused with 402 (decision 126): said before the token is made.
  const agentLimit = plan && plan.usage.agents >= plan.limits.agents ? { plan: PLAN_LABELS[plan.plan], allowed: plan.limits.agents } : null;
  return { agents, tokens, remote, canManage, agentLimit };
});

const EXPIRY_CHOICES = [
  { value: "1", label: "1 hour" },
  { value: "24", label: "24 hours" },
  { value: "168", label: "7 days" },
  { value: "720", label: "30 days" },
];
const ExpirySchema = z.object({ expiresIn: z.enum(["1", "24", "168", "720"], { message: "Choose when the token expires." }) });
const TokenIdSchema = z.object({ tokenId: z.string().min(1).max(100) });
const AgentIdSchema = z.object({ agentId: z.string().min(1).max(100) });

type Created = { name: string; secret: string; installCommand: string; dockerCommand: string; npmCommand: string };
type Result = { ok: boolean; message?: string; code?: string; fields?: Record<string, string>; values?: Record<string, string>; created?: Created };

export const action = page(async ({ request, context }: ActionFunctionArgs) => {
  const actor = await requireUserWithPermission(request, context, "manage:agent");
  const data = await readForm(request);
  const intent = String(data.get("intent") ?? "");
  try {
    if (intent === "create-token") {
      const expiry = await parseForm(data, ExpirySchema);
      const raw = String(data.get("maxUses") ?? "").trim();
      const parsed = CreateEnrollmentTokenSchema.safeParse({
        name: String(data.get("name") ?? ""),
        // The form offers durations; the shared schema (and the API) take an absolute time.
        expiresAt: expiry.ok ? new Date(Date.now() + Number(expiry.data.expiresIn) * 3600_000).toISOString() : new Date(0).toISOString(),
        maxUses: raw === "" ? Number.NaN : Number(raw),
      });
      if (!expiry.ok || !parsed.success) {
        const fields = { ...(parsed.success ? {} : zodFieldErrors(parsed.error)), ...(expiry.ok ? {} : expiry.fields) };
        if (!expiry.ok) delete fields.expiresAt;
        return { ok: false, message: "Check the highlighted fields.", fields, values: { name: String(data.get("name") ?? ""), maxUses: raw } } satisfies Result;
      }
      const created = await createEnrollmentToken(actor, parsed.data);
      const { secret, installCommand, dockerCommand, npmCommand } = created;
      return { ok: true, created: { name: created.token.name, secret, installCommand, dockerCommand, npmCommand } } satisfies Result;
    }
    if (intent === "revoke-token") {
      const form = await parseForm(data, TokenIdSchema);
      if (!form.ok) return { ok: false, message: "No such enrollment token." } satisfies Result;
      await revokeEnrollmentToken(actor, form.data.tokenId);
      return redirectWithToast("/agents", { kind: "success", message: "The enrollment token was revoked. Agents already enrolled with it keep working." });
    }
    if (intent === "delete-agent") {
      const form = await parseForm(data, AgentIdSchema);
      if (!form.ok) return { ok: false, message: "No such agent." } satisfies Result;
      await deleteAgent(actor, form.data.agentId);
      return redirectWithToast("/agents", { kind: "success", message: "The agent was removed: its credentials are revoked and its connection closed." });
    }
    return { ok: false, message: "Unknown action." } satisfies Result;
  } catch (error) {
    return formFailure(error);
  }
});

/** While the page is visible, re-reads the list so an agent coming online (or going) shows up. */
function useLiveList(enabled: boolean) {
  const revalidator = useRevalidator();
  useEffect(() => {
    if (!enabled) return;
    const timer = setInterval(() => {
      if (document.visibilityState === "visible" && revalidator.state === "idle") revalidator.revalidate();
    }, 5_000);
    return () => clearInterval(timer);
  }, [enabled, revalidator]);
}

export default function AgentsPage() {
  const { agents, tokens, remote, canManage, agentLimit } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Result | undefined;
  useLiveList(remote);
  return (
    <>
      <PageHeader
        title="Agents"
        description={
          remote
            ? "Each Docker host you manage runs an agent that dials out to this control plane. Enroll a host with a token, then manage its containers and proxy hosts here."
            : "The built-in agent manages this server's Docker engine and nginx."
        }
      />
      <div className="flex flex-col gap-6">
        {canManage ? <EnrollCard result={result} agentLimit={agentLimit} /> : null}
        <Card title={remote ? "Your agents" : "Built-in agent"}>
          {agents.length === 0 ? (
            <EmptyState title="No agents yet">
              {canManage ? (
                <p>Create an enrollment token above, then run the install line it shows on the Docker host you want to manage. The host appears here once its agent connects.</p>
              ) : (
                <p>An administrator of this organization enrolls Docker hosts from this page.</p>
              )}
            </EmptyState>
          ) : (
            <ul className="divide-y divide-slate-200 dark:divide-slate-800" aria-label="Agents">
              {agents.map((a) => (
                <li key={a.id} data-testid="agent-row" data-agent-id={a.id} data-status={a.status} className="flex flex-col gap-3 py-3 sm:flex-row sm:items-center sm:justify-between">
                  <div className="min-w-0 text-sm">
                    <p className="flex flex-wrap items-center gap-2 font-medium">
                      <span className="wrap-anywhere" data-testid="agent-name">
                        {a.name}
                      </span>
                      <Badge tone={a.status === "online" ? "good" : "bad"}>{a.status}</Badge>
                      {a.kind === "local" ? <Badge tone="muted">built-in</Badge> : null}
                    </p>
                    <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-slate-600 sm:flex sm:flex-wrap sm:gap-x-4 dark:text-slate-400">
                      {a.hostname ? <Fact term="Host">{a.hostname}</Fact> : null}
                      <Fact term="Last seen">
                        <Time iso={a.lastSeenAt} fallback="never" />
                      </Fact>
                      {a.kind === "remote" ? <Fact term="Round trip">{a.latencyMs === null ? "—" : `${a.latencyMs} ms`}</Fact> : null}
                      <Fact term="Version" testId="agent-version">{a.kind === "remote" ? (a.version ?? "—") : "built in"}</Fact>
                      <Fact term="Docker">{a.dockerVersion ?? "—"}</Fact>
                    </dl>
                  </div>
                  <div className="flex flex-wrap gap-2">
                    {canManage && a.kind === "remote" ? (
                      <ConfirmDialog
                        trigger="Remove"
                        triggerLabel={`Remove agent ${a.name}`}
                        title={`Remove “${a.name}”?`}
                        confirm="Remove agent"
                        fields={{ intent: "delete-agent", agentId: a.id }}
                      >
                        <p>
                          Its credentials are revoked and its connection is closed at once; the agent on the host stops and does not come back with its old key. Containers on the host keep running.
                          To add the host again, enroll it with a new token.
                        </p>
                      </ConfirmDialog>
                    ) : null}
                  </div>
                </li>
              ))}
            </ul>
          )}
        </Card>
        {canManage ? <TokensCard tokens={tokens} /> : null}
      </div>
    </>
  );
}

function Fact({ term, children, testId }: { term: string; children: React.ReactNode; testId?: string }) {
  return (
    <div className="contents sm:flex sm:gap-1">
      <dt className="text-slate-500 dark:text-slate-400">{term}</dt>
      <dd data-testid={testId} className="min-w-0 wrap-anywhere text-slate-800 dark:text-slate-200">
        {children}
      </dd>
    </div>
  );
}

function EnrollCard({ result, agentLimit }: { result: Result | undefined; agentLimit: { plan: string; allowed: number } | null }) {
  const creating = useNavigation().state !== "idle";
  const failed = result && !result.ok ? result : undefined;
  return (
    <Card title="Enroll a host">
      {agentLimit ? (
        <div role="status" data-testid="agent-limit" className="mb-4 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
          <strong className="font-medium">
            The {agentLimit.plan} plan allows {agentLimit.allowed} {agentLimit.allowed === 1 ? "agent" : "agents"}, and this organization has them all.
          </strong>{" "}
          A host enrolled now is refused until you remove an agent or the organization moves to a larger plan.
          <PlanLimitLink />
        </div>
      ) : null}
      {result?.created ? (
        <div role="status" data-testid="enrollment-created" className="mb-4 flex flex-col gap-3 rounded-lg border border-emerald-300 bg-emerald-50 p-4 dark:border-emerald-800 dark:bg-emerald-950">
          <p className="text-sm">
            <strong>Token “{result.created.name}” created.</strong> Copy a line now: the token is shown only once. Run it on the Docker host you want to manage; the host appears
            below once its agent connects.
          </p>
          <CommandLine label="Install with one line" hint="Needs Docker on the host; run as root or a member of the docker group." command={result.created.installCommand} testId="install-command" />
          <CommandLine label="Or run the container yourself" command={result.created.dockerCommand} testId="docker-command" />
          <CommandLine label="Or from a checkout of InfraPilot" hint="Needs Node 20 and the checkout’s dependencies (npm ci)." command={result.created.npmCommand} testId="npm-command" />
        </div>
      ) : null}
      <Form key={result?.created?.secret ?? "form"} method="post" className="grid gap-4 md:grid-cols-3" noValidate aria-label="Create an enrollment token">
        <input type="hidden" name="intent" value="create-token" />
        <div className="md:col-span-3">
          <FormError message={failed?.message} code={failed?.code} />
        </div>
        <Field label="Token name" name="name" autoComplete="off" defaultValue={failed?.values?.name} error={failed?.fields?.name} hint="Which hosts it is for, e.g. “web servers”." />
        <SelectField label="Expires after" name="expiresIn" defaultValue="24" error={failed?.fields?.expiresIn ?? failed?.fields?.expiresAt} options={EXPIRY_CHOICES} />
        <Field label="Uses" name="maxUses" type="number" defaultValue={failed?.values?.maxUses ?? "1"} error={failed?.fields?.maxUses} hint="How many hosts may enroll with it (1–1000)." />
        <div className="md:col-span-3">
          <SubmitButton pending={creating}>Create token</SubmitButton>
        </div>
      </Form>
    </Card>
  );
}

function TokensCard({ tokens }: { tokens: { id: string; name: string; expiresAt: string; maxUses: number; uses: number; usesLeft: number; createdAt: string }[] }) {
  return (
    <Card title="Enrollment tokens">
      {tokens.length === 0 ? (
        <EmptyState title="No enrollment tokens">A token lets hosts join this organization. Create one above; it is shown once, expires, and can be used a set number of times.</EmptyState>
      ) : (
        <ul className="divide-y divide-slate-200 dark:divide-slate-800" aria-label="Enrollment tokens">
          {tokens.map((t) => (
            <li key={t.id} data-testid="enrollment-token-row" className="flex flex-col gap-2 py-3 sm:flex-row sm:items-center sm:justify-between">
              <div className="min-w-0 text-sm">
                <p className="flex flex-wrap items-center gap-2 font-medium">
                  <span className="wrap-anywhere">{t.name}</span>
                  {t.usesLeft === 0 ? <Badge tone="bad">{t.uses >= t.maxUses ? "used up" : "expired"}</Badge> : <Badge tone="good">{`${t.usesLeft} of ${t.maxUses} uses left`}</Badge>}
                </p>
                <p className="text-slate-600 dark:text-slate-400">
                  created <Time iso={t.createdAt} /> · expires <Time iso={t.expiresAt} /> · used {t.uses} of {t.maxUses}
                </p>
              </div>
              <ConfirmDialog trigger="Revoke" triggerLabel={`Revoke token ${t.name}`} title={`Revoke “${t.name}”?`} confirm="Revoke token" fields={{ intent: "revoke-token", tokenId: t.id }}>
                <p>Hosts can no longer enroll with this token. Agents already enrolled with it keep working.</p>
              </ConfirmDialog>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

export const meta: MetaFunction = () => [{ title: "Agents · InfraPilot" }];

export const ErrorBoundary = RouteErrorBoundary;
