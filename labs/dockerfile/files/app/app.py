"""A tiny web app using only Python's standard library."""
import os
import socket
from http.server import BaseHTTPRequestHandler, HTTPServer

GREETING = os.environ.get("GREETING", "Hello")
PORT = int(os.environ.get("PORT", "8000"))


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"{GREETING} from the Berth app, served by container {socket.gethostname()}\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.end_headers()
        self.wfile.write(body.encode())


if __name__ == "__main__":
    print(f"listening on port {PORT}")
    HTTPServer(("", PORT), Handler).serve_forever()
