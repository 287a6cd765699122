// nginx side of an agent: the ProxyApplier interface and the local-process implementation.
// A container mode (config dir mounted into an nginx container, `docker exec nginx -t`) and the
// RemoteAgent transport implement the same interface.
export type * from "./types";
export { NginxApplyError } from "./types";
export { LocalNginx, type LocalNginxOptions } from "./local-nginx";
export { ACME_TOKEN_PATTERN } from "./acme-token";
