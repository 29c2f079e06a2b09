#!/bin/sh
# Like the official image's entrypoint: announce start-up, run /docker-entrypoint.d scripts, exec CMD.
set -e
if [ "$1" = "nginx" ] || [ "$1" = "nginx-debug" ]; then
    echo "$0: /docker-entrypoint.d/ is not empty, will attempt to perform configuration"
    for f in /docker-entrypoint.d/*.sh; do
        [ -x "$f" ] && { echo "$0: Launching $f"; "$f"; }
    done
    echo "$0: Configuration complete; ready for start up"
fi
exec "$@"
