// What a monitor check is asked and answers, the same wherever it runs (the control plane, the
// built-in agent or a node's agent over RPC; docs/decisions/060, 065, 141). Plain JSON both ways.
import { z } from "zod";
import { DNS_RECORD_TYPES } from "./dns-match";

export interface CheckResult {
  ok: boolean;
  /** Why it failed: status, timeout, keyword, json, tls, connection, refused, dns. */
  cause?: string;
  message: string;
  latencyMs: number | null;
  /** https checks: the server certificate's notAfter (ISO). */
  certNotAfter?: string | null;
  /** Set when the certificate expires within `certExpiryDays`. */
  certDaysLeft?: number;
}

const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** An HTTP(S) check; the control plane validated the user's input, the agent checks shapes again. */
export const HttpCheckSpecSchema = z
  .object({
    url: z.string().max(2000).regex(/^https?:\/\//i),
    method: z.enum(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]),
    expectedStatus: z.array(z.number().int().min(100).max(599)).max(50),
    keyword: z.string().max(500).nullable(),
    keywordAbsent: z.boolean(),
    jsonPath: z.string().max(500).nullable(),
    jsonExpected: z.string().max(500).nullable(),
    headers: z.record(z.string().regex(headerName), z.string().max(4000).regex(/^[^\r\n]*$/)),
    body: z.string().max(64 * 1024).nullable(),
    timeoutMs: z.number().int().min(500).max(60_000),
    followRedirects: z.boolean(),
    certExpiryDays: z.number().int().min(0).max(365).nullable(),
  })
  .strict();
export type HttpCheckSpec = z.infer<typeof HttpCheckSpecSchema>;

/** A DNS check; `server` is "host", "host:port" or "[v6]:port" (port 53 by default), null: the resolvers of where it runs. */
export const DnsCheckSpecSchema = z
  .object({
    name: z.string().min(1).max(253).regex(/^[A-Za-z0-9.:[\]_-]+$/),
    recordType: z.enum(DNS_RECORD_TYPES),
    expected: z.string().max(500).nullable(),
    server: z.string().max(300).nullable(),
    timeoutMs: z.number().int().min(500).max(30_000),
  })
  .strict();
export type DnsCheckSpec = z.infer<typeof DnsCheckSpecSchema>;
