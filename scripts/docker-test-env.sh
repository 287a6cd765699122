#!/usr/bin/env bash
# A private Docker engine for tests and benchmarks (see ENVIRONMENT.md).
#
#   scripts/docker-test-env.sh start   start (or reuse) the engine and import the test image
#   scripts/docker-test-env.sh stop    stop the engine (its containers go with it)
#   scripts/docker-test-env.sh env     print `export DOCKER_HOST=...` for eval
#   scripts/docker-test-env.sh status  exit 0 when the engine answers
#   scripts/docker-test-env.sh image   import the test image into $DOCKER_HOST (any engine)
#   scripts/docker-test-env.sh nginx-image
#                                      import an nginx image built from this machine's nginx
#                                      (NGINX_BIN, default /usr/sbin/nginx) into $DOCKER_HOST
#
# IP_DOCKER_DIR (default /tmp/ip-docker) holds the socket, data and pid file.
# The engine has no bridge and no iptables rules: containers get only their own
# loopback unless started with --network host.
set -euo pipefail

DIR="${IP_DOCKER_DIR:-/tmp/ip-docker}"
SOCK="$DIR/docker.sock"
PIDFILE="$DIR/dockerd.pid"
LOG="$DIR/dockerd.log"
IMAGE="infrapilot-test/busybox:latest"
NGINX_IMAGE="infrapilot-test/nginx:latest"
NGINX_BIN="${NGINX_BIN:-/usr/sbin/nginx}"
APPLETS="sh ls echo cat sleep httpd yes printf wc head date top env"
BUSYBOX="${BUSYBOX:-/bin/busybox}"
PRIVATE_DOCKER_HOST="unix://$SOCK"

log() { printf 'docker-test-env: %s\n' "$*" >&2; }

require_tools() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=("dockerd (package docker.io)")
  command -v docker >/dev/null 2>&1 || missing+=("docker CLI (package docker.io)")
  if [ ! -x "$BUSYBOX" ] || ! file_is_static "$BUSYBOX"; then
    missing+=("a static $BUSYBOX (package busybox-static)")
  fi
  if [ "${#missing[@]}" -gt 0 ]; then
    log "missing: ${missing[*]}"
    log "install them with: apt-get update && apt-get install -y docker.io busybox-static"
    exit 2
  fi
}

file_is_static() {
  # A dynamically linked busybox would not run inside the image (no libc there).
  if command -v ldd >/dev/null 2>&1; then
    ! ldd "$1" >/dev/null 2>&1
  else
    return 0
  fi
}

engine_pid() {
  [ -f "$PIDFILE" ] || return 1
  local pid
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] || return 1
  printf '%s\n' "$pid"
}

engine_answers() { timeout 5 docker info --format '{{.ServerVersion}}' >/dev/null 2>&1; }

start_engine() {
  mkdir -p "$DIR/data" "$DIR/exec"
  if engine_pid >/dev/null && engine_answers; then
    return 0
  fi
  if pid="$(engine_pid)"; then
    log "dockerd (pid $pid) does not answer; restarting it"
    stop_engine
  fi
  rm -f "$SOCK" "$PIDFILE"
  reset_state
  log "starting dockerd on $SOCK (log: $LOG)"
  # setsid: the engine must outlive the shell (and the test run) that started it.
  setsid dockerd \
    --host "unix://$SOCK" \
    --data-root "$DIR/data" \
    --exec-root "$DIR/exec" \
    --pidfile "$PIDFILE" \
    --iptables=false --ip6tables=false --bridge=none \
    --storage-driver=vfs \
    >>"$LOG" 2>&1 </dev/null 9>&- &
  local deadline=$((SECONDS + 60))
  until engine_answers; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "dockerd did not answer within 60 s; last lines of $LOG:"
      tail -n 20 "$LOG" >&2 || true
      exit 1
    fi
    sleep 0.3
  done
}

reset_state() {
  # A cold start begins from an empty engine: tests never rely on leftover state,
  # and this dockerd leaves a "stale sandbox" per removed container that it then
  # spends ~0.1 s each cleaning up at the next start (minutes after a benchmark).
  # The image is re-imported from busybox in under a second.
  local mounts
  mounts="$(awk -v dir="$DIR/" 'index($2, dir) == 1 { print $2 }' /proc/self/mounts | sort -r)"
  if [ -n "$mounts" ]; then
    printf '%s\n' "$mounts" | xargs -r umount -l 2>/dev/null || true
  fi
  rm -rf "$DIR/data" "$DIR/exec" 2>/dev/null || log "could not fully clean $DIR (continuing)"
  mkdir -p "$DIR/data" "$DIR/exec"
}

import_image() {
  if docker image inspect "$IMAGE" >/dev/null 2>&1; then
    return 0
  fi
  log "importing $IMAGE from $BUSYBOX"
  local root
  root="$(mktemp -d)"
  mkdir -p "$root/bin" "$root/tmp" "$root/etc"
  cp "$BUSYBOX" "$root/bin/busybox"
  for applet in $APPLETS; do ln -s busybox "$root/bin/$applet"; done
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\n' >"$root/etc/group"
  chmod 1777 "$root/tmp"
  tar -C "$root" -c . | docker import --change 'CMD ["sh"]' - "$IMAGE" >/dev/null
  rm -rf "$root"
}

import_nginx_image() {
  # No registry here: the image is this machine's nginx binary, the shared libraries ldd lists,
  # a static busybox (sh, kill, cat, sleep) and passwd/group entries for root and www-data.
  if docker image inspect "$NGINX_IMAGE" >/dev/null 2>&1; then
    return 0
  fi
  if [ ! -x "$NGINX_BIN" ]; then
    log "missing: $NGINX_BIN; install it with: apt-get update && apt-get install -y nginx-light"
    exit 2
  fi
  log "importing $NGINX_IMAGE from $NGINX_BIN"
  local root lib
  root="$(mktemp -d)"
  mkdir -p "$root/bin" "$root/usr/sbin" "$root/tmp" "$root/etc/nginx" "$root/var/log/nginx" "$root/var/lib/nginx" "$root/run"
  cp "$NGINX_BIN" "$root/usr/sbin/nginx"
  for lib in $(ldd "$NGINX_BIN" | awk '/=>/ { print $3 } /^[[:space:]]*\// { print $1 }'); do
    [ -f "$lib" ] || continue
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
  [ -f /etc/nginx/mime.types ] && cp /etc/nginx/mime.types "$root/etc/nginx/mime.types"
  cp "$BUSYBOX" "$root/bin/busybox"
  for applet in sh kill cat sleep ls echo; do ln -s busybox "$root/bin/$applet"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33:www-data:/var/www:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\nwww-data:x:33:\nnogroup:x:65534:\n' >"$root/etc/group"
  chmod 1777 "$root/tmp"
  # PID 1 idles (and exits at once on SIGTERM); InfraPilot starts nginx in it through docker exec.
  tar -C "$root" -c . | docker import \
    --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["sh", "-c", "trap '"'"'exit 0'"'"' TERM; while true; do sleep 1; done"]' \
    - "$NGINX_IMAGE" >/dev/null
  rm -rf "$root"
}

stop_engine() {
  local pid
  if ! pid="$(engine_pid)"; then
    rm -f "$PIDFILE"
    return 0
  fi
  log "stopping dockerd (pid $pid)"
  kill -TERM "$pid"
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$PIDFILE"; return 0; }
    sleep 0.2
  done
  log "dockerd ignored SIGTERM for 20 s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$PIDFILE"
}

start_and_import() {
  start_engine
  import_image
}

with_lock() {
  # Test workers may call `start` concurrently; one of them starts the engine.
  # The lock lives on fd 9, which dockerd must not inherit (see start_engine).
  mkdir -p "$DIR"
  (
    flock -w 120 9 || { log "timed out waiting for $DIR/lock"; exit 1; }
    "$@"
  ) 9>"$DIR/lock"
}

case "${1:-}" in
  image)
    require_tools
    import_image
    ;;
  nginx-image)
    require_tools
    with_lock import_nginx_image
    ;;
  start)
    export DOCKER_HOST="$PRIVATE_DOCKER_HOST"
    require_tools
    with_lock start_and_import
    printf 'DOCKER_HOST=%s\n' "$DOCKER_HOST"
    ;;
  stop) export DOCKER_HOST="$PRIVATE_DOCKER_HOST"; with_lock stop_engine ;;
  env) printf 'export DOCKER_HOST=%s\n' "$PRIVATE_DOCKER_HOST" ;;
  status) export DOCKER_HOST="$PRIVATE_DOCKER_HOST"; engine_pid >/dev/null && engine_answers ;;
  *)
    echo "usage: $0 start|stop|env|status|image|nginx-image" >&2
    exit 64
    ;;
esac
