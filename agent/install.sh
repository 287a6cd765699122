#!/bin/sh
# InfraPilot agent installer: runs the InfraPilot agent image on this Docker host, enrolled with a
# token from the Agents page. POSIX sh (dash, busybox sh, bash); served by the control plane at
# GET /install.sh with its own URL filled in below, so the usual way to run it is
#
#   curl -fsSL https://panel.example.com/install.sh | sh -s -- --token=ipe_…
#
# It checks everything it needs first (Docker installed, the engine answering, its socket, no agent
# container already there, the image) and changes nothing when a check fails: it says what is
# missing and exits non-zero. Then it starts one container, `infrapilot-agent`, which dials out to
# the control plane (no inbound port) and keeps its key in the volume `infrapilot-agent`.
# Run it with --help for the options. See docs/decisions/130-agent-deployment.md.
set -eu

# Filled in by the control plane when it serves this file; `--server` overrides it.
SERVER_URL_DEFAULT=''

server_url=$SERVER_URL_DEFAULT
token=''
agent_name=''
image=${INFRAPILOT_AGENT_IMAGE:-infrapilot/agent:latest}
container=infrapilot-agent
volume=infrapilot-agent
nginx=local
http_port=80
https_port=443
dry_run=no

say() { printf '%s\n' "$*"; }
fail() {
  printf 'infrapilot-agent install: %s\n' "$*" >&2
  printf 'Nothing was changed on this host.\n' >&2
  exit 1
}

usage() {
  cat <<'EOF'
Usage: sh install.sh --token=ipe_... [options]

  --token=SECRET        enrollment token from the Agents page (required)
  --server=URL          the control plane's URL (default: the one that served this script);
                        several, comma-separated, are tried in turn
  --name=NAME           the agent's name on the Agents page (default: this host's name)
  --image=IMAGE         the agent image (default: $INFRAPILOT_AGENT_IMAGE or infrapilot/agent:latest)
  --container=NAME      the container's name (default: infrapilot-agent)
  --volume=NAME         the volume keeping the agent's key (default: infrapilot-agent)
  --no-nginx            do not serve proxy hosts on this host (no nginx on ports 80/443)
  --http-port=PORT      where this host's nginx listens for HTTP (default 80)
  --https-port=PORT     where this host's nginx listens for HTTPS (default 443)
  --dry-run             check everything and print the docker command instead of running it
  --help                this text
EOF
}

# ---------------------------------------------------------------- arguments
need_value() {
  [ -n "$2" ] || fail "$1 needs a value (e.g. $1=...)."
}
while [ $# -gt 0 ]; do
  arg=$1
  shift
  case $arg in
    --*=*) key=${arg%%=*} value=${arg#*=} ;;
    --token | --server | --name | --image | --container | --volume | --http-port | --https-port)
      key=$arg
      value=${1:-}
      [ $# -gt 0 ] && shift
      ;;
    *) key=$arg value='' ;;
  esac
  case $key in
    --token) need_value "$key" "$value"; token=$value ;;
    --server) need_value "$key" "$value"; server_url=$value ;;
    --name) need_value "$key" "$value"; agent_name=$value ;;
    --image) need_value "$key" "$value"; image=$value ;;
    --container) need_value "$key" "$value"; container=$value ;;
    --volume) need_value "$key" "$value"; volume=$value ;;
    --http-port) need_value "$key" "$value"; http_port=$value ;;
    --https-port) need_value "$key" "$value"; https_port=$value ;;
    --no-nginx) nginx=off ;;
    --dry-run) dry_run=yes ;;
    -h | --help) usage; exit 0 ;;
    *) fail "unknown option $arg (see --help)." ;;
  esac
done

# Everything below reaches `docker run` as separate arguments, never through a shell, but is
# still checked so that a typo is named here rather than failing later inside the container.
[ -n "$token" ] || fail "give the enrollment token: --token=ipe_... (create one on the Agents page)."
case $token in
  ipe_*) ;;
  *) fail "--token: that is not an enrollment token (they start with ipe_)." ;;
esac
case ${token#ipe_} in
  '' | *[!A-Za-z0-9_-]*) fail "--token: that is not an enrollment token (letters, digits, - and _ after ipe_)." ;;
esac
[ -n "$server_url" ] || fail "give the control plane's URL: --server=https://..."
old_ifs=$IFS
IFS=,
for url in $server_url; do
  case $url in
    http://?* | https://?*) ;;
    *) IFS=$old_ifs; fail "--server: $url is not an http(s) URL." ;;
  esac
  case $url in
    *[!A-Za-z0-9.:/_~%+@-]*) IFS=$old_ifs; fail "--server: $url has characters a URL here cannot have." ;;
  esac
done
IFS=$old_ifs
case $agent_name in
  '') ;;
  [!A-Za-z0-9]* | *[!A-Za-z0-9._\ -]*) fail "--name: use letters, digits, dots, dashes, underscores and spaces, starting with a letter or digit." ;;
esac
for pair in "container:$container" "volume:$volume"; do
  case ${pair#*:} in
    '' | [!A-Za-z0-9]* | *[!A-Za-z0-9_.-]*) fail "--${pair%%:*}: use letters, digits, dots, dashes and underscores." ;;
  esac
done
case $image in
  '' | -* | *[!A-Za-z0-9_./:@-]*) fail "--image: that is not an image reference." ;;
esac
for port in "$http_port" "$https_port"; do
  case $port in
    '' | *[!0-9]*) fail "ports are numbers from 1 to 65535 (got $port)." ;;
  esac
  [ ${#port} -le 5 ] && [ "$port" -ge 1 ] && [ "$port" -le 65535 ] || fail "ports are numbers from 1 to 65535 (got $port)."
done

# ---------------------------------------------------------------- Docker
if ! command -v docker >/dev/null 2>&1; then
  fail "Docker is not installed on this host (no \`docker\` command on the PATH). The InfraPilot agent runs as a container: install Docker Engine (https://docs.docker.com/engine/install/), then run this again."
fi
if ! docker info >/dev/null 2>&1; then
  fail "Docker is installed but its engine does not answer${DOCKER_HOST:+ at $DOCKER_HOST}. Start it (e.g. \`sudo systemctl start docker\`), or run this as a user allowed to use Docker (root, or a member of the docker group)."
fi

# The agent manages this engine through its socket, mounted into the container.
case ${DOCKER_HOST:-unix:///var/run/docker.sock} in
  unix://*) socket=${DOCKER_HOST:-unix:///var/run/docker.sock}; socket=${socket#unix://} ;;
  *) fail "DOCKER_HOST=$DOCKER_HOST is not a unix socket; the agent needs the engine's socket on this host. Run this where the engine runs." ;;
esac
[ -S "$socket" ] || fail "the Docker socket $socket is not there."
# The image runs as a non-root user; the socket's group lets it in (GNU, busybox or BSD stat).
socket_gid=$(stat -c %g "$socket" 2>/dev/null || stat -f %g "$socket" 2>/dev/null || true)
case $socket_gid in
  '' | *[!0-9]*) fail "cannot read the group of $socket." ;;
esac

if docker container inspect "$container" >/dev/null 2>&1; then
  fail "a container named $container already exists. If it is an older agent, remove it first (\`docker rm -f $container\`; its volume $volume keeps the key), or choose another name with --container."
fi

if ! docker image inspect "$image" >/dev/null 2>&1; then
  if [ "$dry_run" = yes ]; then
    say "(dry run) would pull $image"
  else
    say "Pulling $image ..."
    docker pull "$image" >/dev/null || fail "cannot pull the image $image. Check this host's access to the registry, or load the image and pass --image."
  fi
fi

# ---------------------------------------------------------------- run
# Host network: the agent's nginx serves this host's ports 80/443 and reaches upstreams on
# 127.0.0.1; the agent itself only dials out. The token travels in the environment of the
# docker command (not on its command line, where `ps` would show it).
set -- run -d --name "$container" --restart unless-stopped --network host \
  --group-add "$socket_gid" \
  --label io.infrapilot.protected=true --label io.infrapilot.role=agent \
  -v "$socket:/var/run/docker.sock" -v "$volume:/data" \
  -e AGENT_SERVER_URL="$server_url" -e AGENT_TOKEN -e AGENT_DATA_DIR=/data \
  -e DOCKER_HOST=unix:///var/run/docker.sock \
  -e NGINX_MODE="$nginx" -e NGINX_HTTP_PORT="$http_port" -e NGINX_HTTPS_PORT="$https_port"
if [ -n "$agent_name" ]; then set -- "$@" -e AGENT_NAME="$agent_name"; fi
set -- "$@" "$image"

if [ "$dry_run" = yes ]; then
  say "(dry run) everything checked; would run (AGENT_TOKEN from the environment):"
  say "docker $*"
  exit 0
fi

volume_existed=no
if docker volume inspect "$volume" >/dev/null 2>&1; then volume_existed=yes; fi
AGENT_TOKEN=$token
export AGENT_TOKEN
if ! id=$(docker "$@"); then
  # A container created but not started (and a volume made for it) is taken away again, so a
  # failure leaves nothing behind.
  docker rm -f "$container" >/dev/null 2>&1 || true
  if [ "$volume_existed" = no ]; then docker volume rm "$volume" >/dev/null 2>&1 || true; fi
  fail "docker run failed (see above)."
fi
say "The InfraPilot agent is running: container $container (${id%"${id#????????????}"})."
say "It connects to $server_url and appears on the Agents page within a few seconds."
say "Follow it with: docker logs -f $container"
