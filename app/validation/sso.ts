// Schemas for single sign-on providers (API.md "SSO"): shared by the API and the settings page.
// A provider's `config` arrives with its secrets in it; SSO_SECRET_FIELDS says which keys are
// sealed at rest and never returned.
import { z } from "zod";
import { ROLES } from "~/permissions";

export const SSO_TYPES = ["oidc", "ldap", "saml"] as const;
export type SsoType = (typeof SSO_TYPES)[number];

/** Types this build can log in with (SAML is not built yet: creating one is a validation error). */
export const SSO_TYPES_AVAILABLE = ["oidc", "ldap"] as const;

export const SSO_SECRET_FIELDS: Record<SsoType, readonly string[]> = {
  oidc: ["clientSecret"],
  ldap: ["bindPassword"],
  saml: [],
};

/** SSO never hands out the owner's role: a compromised IdP cannot mint a super_admin (decision 150). */
export const SSO_ROLES = ROLES.filter((r) => r !== "super_admin") as ["admin", "operator", "viewer"];

const text = (max: number) => z.string().trim().max(max);
const pem = z
  .string()
  .trim()
  .max(20_000)
  .refine((v) => v === "" || /^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----$/.test(v), "Paste PEM certificates (-----BEGIN CERTIFICATE-----).");

export const OidcConfigSchema = z.object({
  issuer: z
    .string()
    .trim()
    .max(500)
    .refine((v) => {
      try {
        const u = new URL(v);
        return (u.protocol === "https:" || u.protocol === "http:") && !u.username && !u.password && !u.hash && !u.search;
      } catch {
        return false;
      }
    }, "An https:// URL without query, fragment or credentials (e.g. https://idp.example.com/realms/main)."),
  clientId: text(300).min(1, "Required."),
  /** Empty: a public client (PKCE only). */
  clientSecret: text(500).optional(),
  scopes: text(300)
    .regex(/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/, "Scope names separated by single spaces.")
    .refine((v) => v.split(" ").includes("openid"), "Must include openid.")
    .default("openid email profile"),
  idTokenAlg: z.enum(["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]).default("RS256"),
  groupsClaim: text(100)
    .regex(/^[A-Za-z0-9_:./-]+$/, "A claim name (letters, digits, _ : . / -).")
    .default("groups"),
});
export type OidcConfig = z.infer<typeof OidcConfigSchema>;

const dn = text(500);
export const LdapConfigSchema = z
  .object({
    url: text(500).regex(/^ldaps?:\/\/[A-Za-z0-9.\-[\]:]+(:\d{1,5})?\/?$/, "ldaps://host:636 or ldap://host:389 (with StartTLS)."),
    startTls: z.boolean().default(false),
    /** PEM of the CA that signed the directory's certificate; empty: the system's trusted CAs. */
    caCertPem: pem.default(""),
    bindDn: dn.default(""),
    bindPassword: text(500).optional(),
    userBase: dn.min(1, "Required (e.g. ou=people,dc=example,dc=com)."),
    userFilter: text(500)
      .refine((v) => v.includes("{username}"), "Must contain {username}.")
      .refine((v) => v.startsWith("(") && v.endsWith(")"), "An LDAP filter in parentheses.")
      .default("(uid={username})"),
    emailAttribute: text(100).regex(/^[A-Za-z][A-Za-z0-9-]*$/, "An attribute name.").default("mail"),
    nameAttribute: text(100).regex(/^[A-Za-z][A-Za-z0-9-]*$/, "An attribute name.").default("cn"),
    /** Empty: groups come from the user's memberOf attribute. */
    groupBase: dn.default(""),
    groupFilter: text(500)
      .refine((v) => v.includes("{dn}") || v.includes("{username}"), "Must contain {dn} or {username}.")
      .default("(member={dn})"),
    allowPlainLdap: z.boolean().default(false),
  })
  .superRefine((c, ctx) => {
    if (c.url.startsWith("ldap://") && !c.startTls && !c.allowPlainLdap) {
      ctx.addIssue({ code: "custom", path: ["url"], message: "Use ldaps://, turn on StartTLS, or explicitly allow plain LDAP (passwords would cross the network in the clear)." });
    }
  });
export type LdapConfig = z.infer<typeof LdapConfigSchema>;

export const GroupRoleMapSchema = z
  .array(z.object({ group: text(300).min(1, "Name the group."), role: z.enum(SSO_ROLES) }))
  .max(100)
  .default([]);

const common = {
  name: text(80).min(1, "Give the provider a name (shown on the login button)."),
  groupRoleMap: GroupRoleMapSchema,
  defaultRole: z.enum(SSO_ROLES).default("viewer"),
  jit: z.boolean().default(false),
  enforced: z.boolean().default(false),
};

export const CreateSsoProviderSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("oidc"), config: OidcConfigSchema, ...common }),
  z.object({ type: z.literal("ldap"), config: LdapConfigSchema, ...common }),
]);
export type CreateSsoProviderInput = z.infer<typeof CreateSsoProviderSchema>;

/** PATCH: any subset; `config` merges with the stored one (omitted secrets keep their values). */
export const UpdateSsoProviderSchema = z.object({
  name: common.name.optional(),
  config: z.record(z.string(), z.unknown()).optional(),
  groupRoleMap: z.array(z.object({ group: text(300).min(1, "Name the group."), role: z.enum(SSO_ROLES) })).max(100).optional(),
  defaultRole: z.enum(SSO_ROLES).optional(),
  jit: z.boolean().optional(),
  enforced: z.boolean().optional(),
});
export type UpdateSsoProviderInput = z.infer<typeof UpdateSsoProviderSchema>;

export const LdapLoginSchema = z.object({
  username: z.string().min(1, "Required.").max(256),
  password: z.string().min(1, "Required.").max(1024),
});

export const SsoProvidersQuerySchema = z.object({ org: z.string().trim().max(100).optional() });
