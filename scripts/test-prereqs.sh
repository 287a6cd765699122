#!/usr/bin/env bash
# What the test suite drives for real, checked before `npm test` runs anything else: a browser,
# a Docker engine and a static busybox (to build the test image), an image registry (pull tests),
# nginx, pebble (ACME), openssl, and rsyslog with its TLS driver (the audit forwarders' receiver). As root with apt-get, whatever is missing is installed (quietly; nothing is done when
# everything is there). Otherwise it stops at once with one message giving the exact command.
#
# Each entry: "<Debian package>:<what must exist>", where a path must be an executable file and a
# bare name must be a command on PATH.
set -euo pipefail

# INFRAPILOT_TEST_REQUIREMENTS (space-separated entries) replaces the list: the script's own test
# uses it to name a package that is surely missing.
default_requirements=(
  "chromium:/usr/bin/chromium"
  "docker.io:dockerd"
  "docker.io:docker"
  "busybox-static:/bin/busybox"
  "nginx-light:nginx"
  "pebble:pebble"
  "docker-registry:/usr/bin/docker-registry"
  "openssl:openssl"
  "rsyslog:rsyslogd"
  "rsyslog-gnutls:/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so"
  "slapd:/usr/sbin/slapd"
  "ldap-utils:ldapadd"
)
if [ -n "${INFRAPILOT_TEST_REQUIREMENTS:-}" ]; then
  read -r -a requirements <<<"$INFRAPILOT_TEST_REQUIREMENTS"
else
  requirements=("${default_requirements[@]}")
fi

# A dynamically linked busybox (Debian's `busybox` package) cannot run inside the test image.
busybox_is_static() { [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1; }

present() {
  local what="$1"
  if [ "$what" = /bin/busybox ]; then busybox_is_static; return; fi
  case "$what" in
    *.so) [ -f "$what" ] ;; # a plugin (rsyslog's TLS driver) is a file, not an executable
    /*) [ -x "$what" ] ;;
    *) PATH="$PATH:/usr/sbin:/sbin" command -v "$what" >/dev/null 2>&1 ;;
  esac
}

missing=()
for entry in "${requirements[@]}"; do
  package="${entry%%:*}"
  present "${entry#*:}" && continue
  case " ${missing[*]-} " in *" $package "*) ;; *) missing+=("$package") ;; esac
done
[ "${#missing[@]}" -eq 0 ] && exit 0

install="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "The tests need packages that are missing: ${missing[*]}." >&2
  echo "Install them with: sudo apt-get update && sudo $install" >&2
  exit 1
fi

echo "test-prereqs: installing ${missing[*]} (once; later runs find them installed)" >&2
log="$(mktemp)"
if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  rm -f "$log"
  echo "test-prereqs: installing failed (output above). Run it yourself: apt-get update && $install" >&2
  exit 1
fi
rm -f "$log"
