#!/usr/bin/env bash
# Seeds the local registry mirror with small stand-ins for Docker Hub images.
# CI / offline development fixture only — see README.md. Idempotent: an image whose
# stand-in folder is unchanged (same content hash, stored as a label) is skipped.
#
#   tests/mirror/seed.sh            # ensure the mirror runs, build + push what changed
#   SEED_ONLY="nginx redis" tests/mirror/seed.sh    # limit to some stand-ins
#   SEED_FORCE=1 tests/mirror/seed.sh               # rebuild and push everything
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MIRROR_NAME="${MIRROR_NAME:-berth-mirror}"
MIRROR_IMAGE="${MIRROR_IMAGE:-berth-mirror:latest}"
MIRROR_VOLUME="${MIRROR_VOLUME:-berth-mirror-data}"
MIRROR_PORT="${MIRROR_PORT:-5000}"
REG="localhost:${MIRROR_PORT}"
LABEL="org.berth.standin.hash"
T0=$SECONDS

log() { printf '[seed %3ds] %s\n' "$((SECONDS - T0))" "$*"; }
die() { printf '[seed %3ds] ERROR: %s\n' "$((SECONDS - T0))" "$*" >&2; exit 1; }

# name -> tags pushed as localhost:5000/library/<name>:<tag>
declare -A TAGS=(
  [busybox]="latest 1 1.37 stable musl glibc"
  [alpine]="latest 3 3.20 3.21 3.22"
  [hello-world]="latest linux"
  [debian]="latest trixie trixie-slim stable stable-slim 13 13-slim"
  [nginx]="latest stable mainline alpine stable-alpine 1 1.27 1.28"
  [redis]="latest 7 8 alpine 7-alpine 8-alpine"
  [python]="latest 3 3-slim slim 3.13 3.13-slim 3.12 3.12-slim 3-alpine alpine"
  [registry]="latest 2 2.8 3"
)
ORDER=(busybox alpine hello-world debian nginx redis python registry)
[ -n "${SEED_ONLY:-}" ] && read -r -a ORDER <<<"$SEED_ONLY"

# --- phase 1: the mirror container --------------------------------------------------
log "phase 1: mirror container '$MIRROR_NAME' on port $MIRROR_PORT"
command -v docker >/dev/null || die "docker CLI not found"
command -v curl >/dev/null || die "curl not found"
command -v jq >/dev/null || die "jq not found"
docker image inspect "$MIRROR_IMAGE" >/dev/null 2>&1 || die "image $MIRROR_IMAGE is missing (build images/mirror first)"
# Host networking: the mirror listens on the host itself, and lab machines on
# their session bridges reach it at host.docker.internal (the host's bridge
# gateway), with no port publishing in between.
state="$(docker inspect -f "{{.State.Status}} {{.HostConfig.NetworkMode}}" "$MIRROR_NAME" 2>/dev/null)" || state=absent
case "$state" in
  "running host") log "mirror already running" ;;
  absent|*" "*)
    if [ "$state" != absent ]; then log "mirror container is '$state'; recreating it on the host network"; docker rm -f "$MIRROR_NAME" >/dev/null; fi
    log "creating mirror container"
    docker volume create "$MIRROR_VOLUME" >/dev/null
    docker run -d --name "$MIRROR_NAME" --restart unless-stopped --network host -e "REGISTRY_HTTP_ADDR=:${MIRROR_PORT}" \
      -v "${MIRROR_VOLUME}:/var/lib/docker-registry" "$MIRROR_IMAGE" >/dev/null ;;
esac

log "waiting for http://127.0.0.1:${MIRROR_PORT}/v2/"
for i in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:${MIRROR_PORT}/v2/" >/dev/null 2>&1 && break
  [ "$i" = 100 ] && { docker logs --tail 20 "$MIRROR_NAME" >&2 || :; die "mirror did not answer within 30 s"; }
  sleep 0.3
done
log "mirror answers"

# --- phase 2: stand-ins --------------------------------------------------------------
dir_hash() { # content hash of a stand-in folder (paths + bytes + modes)
  (cd "$1" && find . -type f -print0 | sort -z | xargs -0 stat -c '%n %a' && find . -type f -print0 | sort -z | xargs -0 sha256sum) \
    | sha256sum | cut -c1-32
}
remote_hash() { # label of <name>:<tag> in the registry, or empty
  local cfg
  cfg="$(curl -fsS -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
        "http://127.0.0.1:${MIRROR_PORT}/v2/library/$1/manifests/$2" 2>/dev/null | jq -r '.config.digest // empty' 2>/dev/null)" || return 0
  [ -n "$cfg" ] || return 0
  curl -fsS "http://127.0.0.1:${MIRROR_PORT}/v2/library/$1/blobs/$cfg" 2>/dev/null \
    | jq -r --arg l "$LABEL" '.config.Labels[$l] // empty' 2>/dev/null || :
}

manifest_digest() { # digest of <name>:<tag>'s manifest in the registry, or empty
  curl -fsSI -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://127.0.0.1:${MIRROR_PORT}/v2/library/$1/manifests/$2" 2>/dev/null \
    | tr -d '\r' | awk 'tolower($1) == "docker-content-digest:" { print $2 }'
}

log "phase 2: stand-ins: ${ORDER[*]}"
built=0; skipped=0
for name in "${ORDER[@]}"; do
  dir="$here/standins/$name"
  [ -f "$dir/Dockerfile" ] || die "no stand-in Dockerfile for '$name' ($dir/Dockerfile)"
  [ -n "${TAGS[$name]:-}" ] || die "no tag list for '$name' in seed.sh"
  hash="$(dir_hash "$dir")"
  fresh=1
  if [ "${SEED_FORCE:-0}" != 1 ]; then
    # the first tag must carry the hash label; the others must point at the same manifest
    read -r first rest <<<"${TAGS[$name]}"
    if [ "$(remote_hash "$name" "$first")" = "$hash" ]; then
      want="$(manifest_digest "$name" "$first")"
      for tag in $rest; do
        [ "$(manifest_digest "$name" "$tag")" = "$want" ] || { fresh=0; break; }
      done
    else fresh=0; fi
  else fresh=0; fi
  if [ "$fresh" = 1 ]; then
    log "$name: up to date in the mirror (hash $hash), skipped"; skipped=$((skipped + 1)); continue
  fi
  local_img="berth-standin/$name:$hash"
  if docker image inspect "$local_img" >/dev/null 2>&1 && [ "${SEED_FORCE:-0}" != 1 ]; then
    log "$name: local build $local_img exists"
  else
    log "$name: building"
    out="$(docker build --label "$LABEL=$hash" --label "org.berth.standin=$name" -t "$local_img" "$dir" 2>&1)" \
      || { printf '%s\n' "$out" | tail -n 30 >&2; die "$name: build failed"; }
  fi
  for tag in ${TAGS[$name]}; do
    docker tag "$local_img" "$REG/library/$name:$tag"
    docker push -q "$REG/library/$name:$tag" >/dev/null || die "$name:$tag: push failed"
  done
  log "$name: pushed tags: ${TAGS[$name]}"
  # drop older local builds of this stand-in (the mirror keeps what was pushed)
  docker images "berth-standin/$name" --format '{{.Tag}}' | grep -vx "$hash" \
    | while read -r old; do docker rmi -f "berth-standin/$name:$old" >/dev/null 2>&1 || :; done || :
  built=$((built + 1))
done

log "done: $built pushed, $skipped up to date, in $((SECONDS - T0)) s"
