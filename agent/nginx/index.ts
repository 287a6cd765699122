// nginx side of an agent: the ProxyApplier interface, the local-process implementation and the
// container mode (config dir mounted into an nginx container at the same path, `docker exec
// nginx -t`; docs/decisions/022). The RemoteAgent transport implements the same interface.
export type * from "./types";
export { NginxApplyError } from "./types";
export { LocalNginx, type LocalNginxOptions } from "./local-nginx";
export { ContainerNginx, NginxContainerError, type ContainerNginxOptions, type NginxContainerRuntime } from "./container-nginx";
export { ACME_TOKEN_PATTERN } from "./acme-token";
export { PrefixLogSource, type ProxyLogSource, type ProxyLogFollower, type ProxyLogFollowOptions } from "./log-source";
