import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useRevalidator } from "@remix-run/react";
import { useEffect } from "react";
import { CertificateForm, type CertificateFormResult } from "~/components/certs/certificate-form";
import { CertificateStatus } from "~/components/certs/certificate-status";
import { ProxySectionNav } from "~/components/proxy/section-nav";
import { RouteErrorBoundary } from "~/components/route-error";
import { ConfirmDialog } from "~/components/ui/confirm-dialog";
import { Card, EmptyState, PageHeader } from "~/components/ui/page";
import { can } from "~/permissions";
import { requireUserWithPermission } from "~/server/auth/require.server";
import { createCertificate, deleteCertificate, listCertificates, renewCertificate } from "~/server/certs/certificates.server";
import { formFailure } from "~/server/http/form-failure.server";
import { page, readForm, redirectWithToast, requirePageFeature } from "~/server/http/page.server";
import { TableHead } from "~/components/ui/table-head";
import { CreatePanel } from "~/components/ui/create-panel";
import { domainsFromForm } from "~/validation/proxy";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  requirePageFeature("proxies");
  const actor = await requireUserWithPermission(request, context, "read:certificate");
  const { items } = await listCertificates(actor);
  return {
    certificates: items,
    canManage: can(actor.role, "manage:certificate"),
  };
});

function bodyFromForm(form: FormData) {
  const s = (k: string) => String(form.get(k) ?? "");
  const mode = s("mode") === "custom" ? "custom" : "acme";
  return {
    domains: domainsFromForm(form),
    allowSingleLabel: form.get("allowSingleLabel") === "on",
    mode,
    ...(mode === "custom"
      ? {
          certificatePem: s("certificatePem").replace(/\r\n/g, "\n"),
          keyPem: s("keyPem").replace(/\r\n/g, "\n"),
        }
      : {}),
  };
}

export const action = page(async ({ request, context }: ActionFunctionArgs) => {
  requirePageFeature("proxies");
  const actor = await requireUserWithPermission(request, context, "manage:certificate");
  const form = await readForm(request);
  const intent = String(form.get("intent") ?? "");
  const id = String(form.get("id") ?? "");
  try {
    if (intent === "create") {
      const cert = await createCertificate(actor, bodyFromForm(form));
      return redirectWithToast("/certificates", {
        kind: cert.warnings.length ? "info" : "success",
        message: cert.status === "issued" ? [`The certificate for ${cert.domains[0]} was stored.`, ...cert.warnings].join(" ") : `Requesting a certificate for ${cert.domains[0]}…`,
      });
    }
    if (intent === "renew") {
      await renewCertificate(actor, id);
      return redirectWithToast("/certificates", {
        kind: "info",
        message: "Renewal started.",
      });
    }
    if (intent === "delete") {
      await deleteCertificate(actor, id);
      return redirectWithToast("/certificates", {
        kind: "success",
        message: "The certificate was removed.",
      });
    }
    return {
      ok: false,
      message: "Unknown action.",
      fields: {},
    } satisfies CertificateFormResult;
  } catch (error) {
    const failure = formFailure(error);
    // Zod paths like domains.0 map onto the form's single domains field.
    return {
      ...failure,
      fields: Object.fromEntries(Object.entries(failure.fields).map(([k, v]) => [k.startsWith("domains") ? "domains" : k, v])),
    } satisfies CertificateFormResult;
  }
});

export default function CertificatesPage() {
  const { certificates, canManage } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as CertificateFormResult | undefined;
  const navigation = useNavigation();
  const revalidator = useRevalidator();
  const busy = certificates.some((c) => c.status === "pending" || c.renewing);
  // Issuance runs in the background: refresh while any certificate is on its way.
  useEffect(() => {
    if (!busy) return;
    const t = setInterval(() => {
      if (revalidator.state === "idle" && document.visibilityState === "visible") revalidator.revalidate();
    }, 1000);
    return () => clearInterval(t);
  }, [busy, revalidator]);
  const saving = navigation.state !== "idle" && navigation.formData?.get("intent") === "create";
  return (
    <>
      <PageHeader title="Certificates" description="TLS certificates for proxy hosts: issued by Let's Encrypt through HTTP-01 and renewed 30 days before expiry, or uploaded." />
      <ProxySectionNav />
      <div className="flex flex-col gap-6">
        <Card title={`Certificates (${certificates.length})`}>
          {certificates.length === 0 ? (
            <EmptyState title="No certificates yet">Request one below, or pick Let&apos;s Encrypt in a proxy host&apos;s TLS settings.</EmptyState>
          ) : (
            <table className="block w-full text-sm md:table">
              <TableHead stackOnPhone columns={["Domains", "Source", "Status", "Issuer", "Hosts", canManage && "Actions"]} />
              <tbody className="block divide-y divide-slate-200 md:table-row-group dark:divide-slate-800">
                {certificates.map((c) => (
                  <tr key={c.id} data-testid="certificate-row" data-domain={c.domains[0]} data-status={c.status} className="flex flex-col gap-2 py-3 md:table-row">
                    <td className="wrap-anywhere font-medium md:py-3 md:pr-3 md:align-top">{c.domains.join(", ")}</td>
                    <td className="md:py-3 md:pr-3 md:align-top">
                      {c.mode === "acme" ? `Let's Encrypt${c.autoRenew ? " · auto-renew" : ""}` : "Uploaded"}
                      {c.selfSigned ? (
                        <span className="mt-1 block text-xs text-amber-800 dark:text-amber-300" data-testid="self-signed" title={c.warnings.join(" ")}>
                          Self-signed: browsers will not trust it
                        </span>
                      ) : null}
                    </td>
                    <td className="md:py-3 md:pr-3 md:align-top">
                      <CertificateStatus status={c.status} error={c.error} notAfter={c.notAfter} renewing={c.renewing} expired={c.expired} progress={c.progress} />
                    </td>
                    <td className="text-slate-600 md:py-3 md:pr-3 md:align-top dark:text-slate-400">
                      <span className="text-xs text-slate-500 md:hidden dark:text-slate-400">Issuer </span>
                      {c.issuer ?? "—"}
                    </td>
                    <td className="md:py-3 md:pr-3 md:align-top">
                      <span className="text-xs text-slate-500 md:hidden dark:text-slate-400">Used by hosts: </span>
                      {c.proxyHostIds.length}
                    </td>
                    {canManage ? (
                      <td className="md:py-3 md:align-top">
                        <div className="flex flex-wrap items-center gap-3">
                          {c.mode === "acme" ? (
                            <Form method="post">
                              <input type="hidden" name="intent" value="renew" />
                              <input type="hidden" name="id" value={c.id} />
                              <button type="submit" disabled={c.renewing} className="text-brand-600 hover:underline disabled:opacity-50 dark:text-brand-300">
                                {c.status === "error" ? "Retry" : "Renew"}
                              </button>
                            </Form>
                          ) : null}
                          {c.proxyHostIds.length === 0 ? (
                            <ConfirmDialog
                              trigger="Delete"
                              triggerLabel={`Delete the certificate for ${c.domains[0]}`}
                              title={`Delete the certificate for ${c.domains[0]}?`}
                              confirm="Delete certificate"
                              fields={{ intent: "delete", id: c.id }}
                            >
                              The certificate and its private key are removed for good. No proxy host uses it.
                            </ConfirmDialog>
                          ) : null}
                        </div>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
        {canManage ? (
          <CreatePanel title="Add a certificate" addLabel="Add another certificate" intent="create" result={result ?? null} doneMessage="Done: the certificate is in the list above. The private key was not kept on this page.">
            <CertificateForm result={result} pending={saving} />
          </CreatePanel>
        ) : null}
      </div>
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Certificates · InfraPilot" }];

export const ErrorBoundary = RouteErrorBoundary;
