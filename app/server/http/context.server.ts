// What server.ts hands every loader and action (Remix's load context).
export interface RequestContext {
  requestId: string;
  clientIp: string;
  /** The client is this machine itself (loopback peer, or a trusted proxy says so): see isLocalRequest. */
  clientIsLocal: boolean;
  /** Headers server.ts adds to the response (e.g. a refreshed session cookie). */
  responseHeaders: Headers;
}

declare module "@remix-run/node" {
  interface AppLoadContext extends RequestContext {}
}
