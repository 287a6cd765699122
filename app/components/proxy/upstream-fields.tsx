// The target of a proxy host: scheme + host + port, or one of the agent's containers and its port.
// nginx beside InfraPilot (local mode) reaches a container on its published port, so picking one
// fills 127.0.0.1 and that port; nginx in a container (container mode) reaches it by name on a
// shared network, so the host stores the container and its own port.
import { useId, useState } from "react";
import { INPUT } from "~/components/ui/button-classes";

export interface ContainerOption {
  name: string;
  ports: { private: number; public: number | null; ip: string | null }[];
}

type Upstream = { scheme: "http" | "https"; host: string; port: number } | { containerId: string; port: number } | null;

function FieldError({ id, error, hint }: { id: string; error?: string; hint?: string }) {
  if (error)
    return (
      <p id={`${id}-error`} className="text-sm text-red-600 dark:text-red-400">
        {error}
      </p>
    );
  return hint ? (
    <p id={`${id}-hint`} className="text-xs text-slate-500 dark:text-slate-400">
      {hint}
    </p>
  ) : null;
}

export function UpstreamFields({
  upstream,
  nginxMode,
  containers,
  errors,
}: {
  upstream: Upstream;
  nginxMode: "local" | "container" | "off";
  containers: ContainerOption[] | null;
  errors: Record<string, string>;
}) {
  const id = useId();
  const byName = upstream && "containerId" in upstream;
  const [target, setTarget] = useState<"address" | "container">(byName ? "container" : "address");
  const [scheme, setScheme] = useState(upstream && "scheme" in upstream ? upstream.scheme : "http");
  const [host, setHost] = useState(upstream && "host" in upstream ? upstream.host : "");
  const [port, setPort] = useState(upstream ? String(upstream.port) : "");
  const [container, setContainer] = useState(byName ? upstream.containerId : "");
  const running = containers ?? [];
  // What the picker offers: published TCP ports (local mode) or every TCP port (container mode).
  const choices = running.flatMap((c) =>
    c.ports
      .filter((p) => nginxMode === "container" || p.public !== null)
      .filter((p, i, all) => all.findIndex((q) => q.private === p.private && q.public === p.public) === i)
      .map((p) => ({
        value: `${c.name}|${p.private}|${p.public ?? ""}|${p.ip ?? ""}`,
        label: nginxMode === "container" ? `${c.name} · port ${p.private}` : `${c.name} · ${p.private} → published on ${p.public}`,
      }))
  );

  function pick(value: string) {
    if (!value) return;
    const [name, priv, pub, ip] = value.split("|");
    if (nginxMode === "container") {
      setTarget("container");
      setContainer(name!);
      setPort(priv!);
    } else {
      setTarget("address");
      setScheme("http");
      setHost(ip && ip !== "0.0.0.0" && ip !== "::" ? ip : "127.0.0.1");
      setPort(pub!);
    }
  }

  return (
    <div className="flex flex-col gap-3">
      {containers ? (
        <div className="flex flex-col gap-1">
          <label htmlFor={`${id}-pick`} className="text-sm font-medium">
            Pick a container
          </label>
          <select id={`${id}-pick`} value="" disabled={choices.length === 0} onChange={(e) => pick(e.target.value)} className={`${INPUT} disabled:opacity-60`} data-testid="container-picker">
            <option value="">{choices.length ? "Choose a running container…" : "No running container with a usable port"}</option>
            {choices.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
          <p className="text-xs text-slate-500 dark:text-slate-400">
            {nginxMode === "container" ? "nginx joins the container's network and reaches it by name." : "nginx runs on this host and reaches the container on its published port."}
          </p>
        </div>
      ) : null}
      {target === "container" ? (
        <div className="grid gap-4 sm:grid-cols-[1fr_8rem]">
          <div className="flex flex-col gap-1">
            <label htmlFor={`${id}-container`} className="text-sm font-medium">
              Container
            </label>
            <div className="flex gap-2">
              <input
                id={`${id}-container`}
                name="upstreamContainer"
                value={container}
                readOnly
                aria-invalid={errors.upstreamContainer ? true : undefined}
                className={`${INPUT} min-w-0 flex-1 bg-slate-50 dark:bg-slate-800`}
              />
              <button type="button" onClick={() => setTarget("address")} className="text-sm text-brand-600 hover:underline dark:text-brand-300">
                Use an address
              </button>
            </div>
            <FieldError id={`${id}-container`} error={errors.upstreamContainer} />
          </div>
          <PortField id={`${id}-port`} value={port} onChange={setPort} error={errors.upstreamPort} />
        </div>
      ) : (
        <div className="grid gap-4 sm:grid-cols-[8rem_1fr_8rem]">
          <div className="flex flex-col gap-1">
            <label htmlFor={`${id}-scheme`} className="text-sm font-medium">
              Scheme
            </label>
            <select id={`${id}-scheme`} name="scheme" value={scheme} onChange={(e) => setScheme(e.target.value as "http" | "https")} className={INPUT}>
              <option value="http">http</option>
              <option value="https">https</option>
            </select>
            <FieldError id={`${id}-scheme`} error={errors.scheme} />
          </div>
          <div className="flex flex-col gap-1">
            <label htmlFor={`${id}-host`} className="text-sm font-medium">
              Upstream host
            </label>
            <input
              id={`${id}-host`}
              name="upstreamHost"
              value={host}
              onChange={(e) => setHost(e.target.value)}
              required
              aria-invalid={errors.upstreamHost ? true : undefined}
              aria-describedby={errors.upstreamHost ? `${id}-host-error` : `${id}-host-hint`}
              className={INPUT}
            />
            <FieldError id={`${id}-host`} error={errors.upstreamHost} hint="Host name or IP address." />
          </div>
          <PortField id={`${id}-port`} value={port} onChange={setPort} error={errors.upstreamPort} />
        </div>
      )}
    </div>
  );
}

function PortField({ id, value, onChange, error }: { id: string; value: string; onChange: (v: string) => void; error?: string }) {
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium">
        Port
      </label>
      <input
        id={id}
        name="upstreamPort"
        type="number"
        inputMode="numeric"
        min={1}
        max={65535}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        required
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        className={INPUT}
      />
      <FieldError id={id} error={error} />
    </div>
  );
}
