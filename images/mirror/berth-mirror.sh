#!/bin/bash
# The classroom registry mirror's entrypoint. Debian's docker-registry in proxy
# mode exits at start when the upstream cannot be reached, and with
# `restart: unless-stopped` that loops forever, so a school whose internet is
# down loses even the images it already cached. This wrapper instead:
#   - no upstream (REGISTRY_PROXY_REMOTEURL empty): a plain registry, a push target
#     (CI seeds stand-ins into it, see tests/mirror/seed.sh);
#   - upstream reachable: a pull-through cache of it (mode "proxy", no pushes);
#   - upstream unreachable: the same storage served read-only (mode "cache-only"),
#     and back to "proxy" as soon as the upstream answers again.
# The mode is in every response's X-Berth-Mirror-Mode header (berth doctor reads it).
set -u

UPSTREAM="${REGISTRY_PROXY_REMOTEURL:-}"
# The registry would read it itself and turn on proxying in cache-only mode too.
unset REGISTRY_PROXY_REMOTEURL
PROBE_SECONDS="${MIRROR_PROBE_SECONDS:-30}"
# One failed probe is a blip; a cache that flips on every timeout would drop pulls under way.
DOWN_AFTER="${MIRROR_DOWN_AFTER:-2}"
STORAGE=/var/lib/docker-registry
RUN_DIR=/run/berth-mirror
mkdir -p "$RUN_DIR"

say() { echo "berth-mirror: $*" >&2; }

write_config() { # mode -> $RUN_DIR/config.yml
  local mode="$1"
  {
    cat <<YAML
version: 0.1
log:
  level: ${MIRROR_LOG_LEVEL:-warn}
storage:
  filesystem:
    rootdirectory: $STORAGE
  # Students must not be able to delete what the class shares.
  delete:
    enabled: false
YAML
    if [ "$mode" = cache-only ]; then
      cat <<YAML
  maintenance:
    readonly:
      enabled: true
YAML
    fi
    cat <<YAML
http:
  addr: :5000
  headers:
    X-Berth-Mirror-Mode: [$mode]
YAML
    if [ "$mode" = proxy ]; then
      cat <<YAML
proxy:
  remoteurl: $UPSTREAM
YAML
    fi
  } >"$RUN_DIR/config.yml"
  echo "$mode" >"$RUN_DIR/mode"
}

# Any HTTP answer from /v2/ (Docker Hub says 401) means the registry API is there.
upstream_up() {
  local code
  code="$(curl -s -o /dev/null -m "${MIRROR_PROBE_TIMEOUT:-5}" -w '%{http_code}' "${UPSTREAM%/}/v2/" 2>/dev/null)" || return 1
  [ "$code" = 200 ] || [ "$code" = 401 ]
}

if [ -z "$UPSTREAM" ]; then
  write_config registry
  say "no upstream: a plain registry (push target) over $STORAGE"
  exec /usr/bin/docker-registry serve "$RUN_DIR/config.yml"
fi

pid=
mode=
start() {
  mode="$1"
  write_config "$mode"
  /usr/bin/docker-registry serve "$RUN_DIR/config.yml" &
  pid=$!
  if [ "$mode" = proxy ]; then say "upstream $UPSTREAM reachable: pull-through cache"
  else say "upstream $UPSTREAM unreachable: serving the cached images read-only; retrying every ${PROBE_SECONDS}s"; fi
}
stop_registry() {
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  pid=
}
trap 'stop_registry; exit 0' TERM INT

if upstream_up; then start proxy; else start cache-only; fi
failures=0
while true; do
  sleep "$PROBE_SECONDS" &
  wait $!
  if ! kill -0 "$pid" 2>/dev/null; then
    say "the registry exited; starting it again ($mode)"
    start "$mode"
    continue
  fi
  if upstream_up; then
    failures=0
    if [ "$mode" = cache-only ]; then stop_registry; start proxy; fi
  else
    failures=$((failures + 1))
    if [ "$mode" = proxy ] && [ "$failures" -ge "$DOWN_AFTER" ]; then stop_registry; start cache-only; fi
  fi
done
