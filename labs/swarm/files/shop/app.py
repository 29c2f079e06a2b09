"""The shop's app tier, as in the compose lab, for a swarm: it reads the database's password
from a file (a swarm secret) and logs in before counting visits.

Standard library only; it speaks the Redis protocol (RESP) over a plain socket.
"""
import os
import signal
import socket
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CACHE_HOST = os.environ.get("CACHE_HOST", "cache")
DB_HOST = os.environ.get("DB_HOST", "")
# A secret arrives as a file; DB_PASSWORD (plain text in the environment) is the unsafe fallback.
DB_PASSWORD_FILE = os.environ.get("DB_PASSWORD_FILE", "")


def db_password():
    """The password and where it came from, read on every request so a new secret needs no restart."""
    if DB_PASSWORD_FILE:
        with open(DB_PASSWORD_FILE, encoding="utf-8") as f:
            return f.read().strip(), DB_PASSWORD_FILE
    return os.environ.get("DB_PASSWORD", ""), "the environment"


def redis(host, *commands):
    """Send commands (tuples) to the Redis server at host:6379 over one connection; return the last reply."""
    with socket.create_connection((host, 6379), timeout=2) as s:
        replies = s.makefile("rb")
        result = None
        for args in commands:
            parts = [str(a).encode() for a in args]
            s.sendall(b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts))
            line = replies.readline().decode().rstrip("\r\n")
            kind, body = line[:1], line[1:]
            if kind == "-":
                raise RuntimeError(body)
            if kind == "$":
                result = None if body == "-1" else replies.readline().decode().rstrip("\r\n")
            else:
                result = body
        return result


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        lines = [f"Hello from app container {socket.gethostname()}"]
        try:
            lines.append(f"cache ({CACHE_HOST}): hits = {redis(CACHE_HOST, ('INCR', 'hits'))}")
        except (OSError, RuntimeError) as err:
            lines.append(f"cache ({CACHE_HOST}): unreachable ({err})")
        if DB_HOST:
            try:
                password, source = db_password()
                visits = redis(DB_HOST, ("AUTH", password), ("INCR", "visits"))
                lines.append(f"database ({DB_HOST}): visits recorded = {visits} (password from {source})")
            except (OSError, RuntimeError) as err:
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
