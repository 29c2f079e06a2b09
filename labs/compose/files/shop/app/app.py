"""The shop's app tier: counts page hits in the cache and visits in the database.

Standard library only; it speaks the Redis protocol (RESP) over a plain socket.
"""
import os
import signal
import socket
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CACHE_HOST = os.environ.get("CACHE_HOST", "cache")
DB_HOST = os.environ.get("DB_HOST", "")


def redis(host, *args):
    """Send one command to the Redis server at host:6379 and return its reply."""
    parts = [str(a).encode() for a in args]
    msg = b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts)
    with socket.create_connection((host, 6379), timeout=2) as s:
        s.sendall(msg)
        reply = s.recv(65536).decode()
    kind, body = reply[0], reply[1:].split("\r\n")
    if kind == "-":
        raise RuntimeError(body[0])
    if kind == "$":
        return None if body[0] == "-1" else body[1]
    return body[0]


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        lines = [f"Hello from app container {socket.gethostname()}"]
        try:
            lines.append(f"cache ({CACHE_HOST}): hits = {redis(CACHE_HOST, 'INCR', 'hits')}")
        except OSError as err:
            lines.append(f"cache ({CACHE_HOST}): unreachable ({err})")
        if DB_HOST:
            try:
                lines.append(f"database ({DB_HOST}): visits recorded = {redis(DB_HOST, 'INCR', 'visits')}")
            except OSError as err:
                lines.append(f"database ({DB_HOST}): unreachable ({err})")
        else:
            lines.append("database: not configured (set DB_HOST)")
        body = ("\n".join(lines) + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        print(f"{self.address_string()} {fmt % args}")


if __name__ == "__main__":
    # As PID 1 in its container, Python would ignore SIGTERM and docker stop would wait 10 s.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"app listening on :8000 (cache={CACHE_HOST}, db={DB_HOST or 'none'})")
    ThreadingHTTPServer(("", 8000), Handler).serve_forever()
