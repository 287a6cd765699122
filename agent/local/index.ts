export { LocalAgent, type LocalAgentOptions } from "./local-agent";
export { parseDockerHost, DEFAULT_DOCKER_HOST, type DockerAddress } from "./docker-host";
