// Schemas for images, volumes and networks (docs/decisions/075), shared by the pages, the API and
// the pure checks the unit tests cover. Nothing user-supplied reaches the engine unless it passed
// these: image references follow Docker's reference grammar (distribution/reference), names the
// engine's own pattern, subnets are IPv4 CIDRs checked here, not by the engine.
import { z } from "zod";

const bool = z.enum(["true", "false"], { message: "Use true or false." }).transform((v) => v === "true");

// distribution/reference, written out: domain[:port]/path-component(/path-component)*[:tag][@digest]
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]{1,5})?`;
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
const REFERENCE = new RegExp(`^(?:(${DOMAIN})/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`);

export interface ImageReference {
  /** Registry host (with port), null for Docker Hub. */
  domain: string | null;
  path: string;
  tag: string | null;
  digest: string | null;
}

/**
 * A reference Docker would accept, or why not. As in Docker, a first component is a registry only
 * when it has a dot or a port or is `localhost`: `library/busybox` is a path, `127.0.0.1:5000/app`
 * a registry. Without a tag or digest the caller pulls `latest` (never every tag).
 */
export function parseImageReference(input: string): { ok: true; reference: ImageReference; canonical: string } | { ok: false; message: string } {
  const value = input.trim();
  if (!value) return { ok: false, message: "Enter an image, e.g. nginx:1.27 or ghcr.io/owner/app:tag." };
  if (value.length > 255 + 1 + 128 + 80) return { ok: false, message: "That image reference is too long." };
  if (/[\s'"`$;&|<>\\]/.test(value)) return { ok: false, message: "An image reference has no spaces, quotes or shell characters." };
  const match = REFERENCE.exec(value);
  if (!match) {
    return /[A-Z]/.test(value.split("/").pop()?.split(":")[0] ?? "")
      ? { ok: false, message: "Image names are lowercase (tags may have capitals)." }
      : { ok: false, message: "Not an image reference: use name[:tag] or registry/name[:tag] (letters, digits, . _ - and /)." };
  }
  const [, matchedDomain, matchedPath, tagPart, digestPart] = match;
  let domain: string | null = matchedDomain ?? null;
  let path = matchedPath;
  const tag = tagPart ?? null;
  const digest = digestPart ?? null;
  // `foo/bar`: `foo` is a path component unless it looks like a host.
  if (domain !== null && !/[.:]/.test(domain) && domain !== "localhost") {
    if (!new RegExp(`^${PATH_COMPONENT}$`).test(domain)) return { ok: false, message: "Image names are lowercase (tags may have capitals)." };
    path = `${domain}/${path}`;
    domain = null;
  }
  const name = domain ? `${domain}/${path}` : path;
  if (name.length > 255) return { ok: false, message: "The image name is longer than 255 characters." };
  const canonical = digest ? `${name}@${digest}` : `${name}:${tag ?? "latest"}`;
  return { ok: true, reference: { domain, path, tag, digest }, canonical };
}

const imageReference = z
  .string({ message: "Enter an image reference." })
  .max(500)
  .transform((value, ctx) => {
    const parsed = parseImageReference(value);
    if (!parsed.ok) {
      ctx.addIssue({ code: "custom", message: parsed.message });
      return z.NEVER;
    }
    return parsed.canonical;
  });

export const PullImageSchema = z.object({ reference: imageReference });

/** Image ids as the engine gives them (`sha256:<hex>`), or a 12+ hex prefix. */
export const IMAGE_ID = /^(sha256:)?[0-9a-f]{12,64}$/;
export const RemoveImageQuerySchema = z.object({ force: bool.optional() });
export const PruneImagesSchema = z.object({ all: z.boolean().default(false) });
export const PruneVolumesSchema = z.object({ all: z.boolean().default(false) });
export const VolumeListQuerySchema = z.object({ sizes: bool.optional() });

/** The engine's own name pattern for volumes and networks (anonymous volumes are 64 hex). */
export const OBJECT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{1,127}$/;
export const NETWORK_ID = /^[0-9a-f]{12,64}$/;

const RESERVED_NETWORKS = new Set(["bridge", "host", "none", "default"]);

function ipv4ToInt(value: string): number | null {
  const parts = value.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)) return null;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

/** An IPv4 CIDR given as its network address (`10.20.0.0/24`), prefix 8–29. */
export function parseSubnet(value: string): { ok: true; base: number; prefix: number } | { ok: false; message: string } {
  const match = /^([0-9.]+)\/([0-9]{1,2})$/.exec(value.trim());
  const base = match ? ipv4ToInt(match[1]) : null;
  if (!match || base === null) return { ok: false, message: "Use an IPv4 subnet in CIDR form, e.g. 10.20.0.0/24." };
  const prefix = Number(match[2]);
  if (prefix < 8 || prefix > 29) return { ok: false, message: "Use a prefix between /8 and /29." };
  const size = 2 ** (32 - prefix);
  if (base % size !== 0) {
    const network = base - (base % size);
    return { ok: false, message: `Host bits are set: the network address is ${intToIpv4(network)}/${prefix}.` };
  }
  return { ok: true, base, prefix };
}

function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

/** A gateway inside the subnet that is neither its network nor its broadcast address. */
export function gatewayProblem(gateway: string, subnet: { base: number; prefix: number }): string | null {
  const ip = ipv4ToInt(gateway.trim());
  if (ip === null) return "Use an IPv4 address, e.g. 10.20.0.1.";
  const size = 2 ** (32 - subnet.prefix);
  if (ip < subnet.base || ip >= subnet.base + size) return "The gateway must be inside the subnet.";
  if (ip === subnet.base || ip === subnet.base + size - 1) return "The gateway cannot be the subnet's network or broadcast address.";
  return null;
}

const emptyToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const checkbox = z.preprocess((v) => v === true || v === "on" || v === "true", z.boolean());

export const CreateNetworkSchema = z
  .object({
    name: z
      .string({ message: "Enter a name." })
      .trim()
      .regex(OBJECT_NAME, "2–128 characters: letters, digits, _ . - (starting with a letter or digit).")
      .refine((n) => !RESERVED_NETWORKS.has(n.toLowerCase()), "That name is the engine's own."),
    driver: z.enum(["bridge"], { message: "Only bridge networks can be created here." }).default("bridge"),
    subnet: z.preprocess(emptyToUndefined, z.string().max(40).optional()),
    gateway: z.preprocess(emptyToUndefined, z.string().max(40).optional()),
    internal: checkbox.default(false),
    attachable: checkbox.default(false),
  })
  .superRefine((v, ctx) => {
    if (v.gateway && !v.subnet) ctx.addIssue({ code: "custom", path: ["gateway"], message: "A gateway needs a subnet." });
    if (!v.subnet) return;
    const subnet = parseSubnet(v.subnet);
    if (!subnet.ok) return void ctx.addIssue({ code: "custom", path: ["subnet"], message: subnet.message });
    const problem = v.gateway ? gatewayProblem(v.gateway, subnet) : null;
    if (problem) ctx.addIssue({ code: "custom", path: ["gateway"], message: problem });
  });
export type CreateNetworkInput = z.infer<typeof CreateNetworkSchema>;
