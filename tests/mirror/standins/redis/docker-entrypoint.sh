#!/bin/sh
# Like the official image: `docker run redis --flag` means redis-server --flag; protected mode is off
# by default (the official build patches it off); the server runs as the redis user from /data.
set -e
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
    set -- redis-server "$@"
fi
if [ "$1" = "redis-server" ]; then
    case " $* " in *protected-mode*) ;; *) set -- "$@" --protected-mode no ;; esac
    if [ "$(id -u)" = "0" ]; then
        find . \! -user redis -exec chown redis '{}' + 2>/dev/null || :
        exec setpriv --reuid=redis --regid=redis --init-groups "$@"
    fi
fi
exec "$@"
