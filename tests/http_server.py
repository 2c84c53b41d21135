"""The scaffolding of the providers tests stand up on 127.0.0.1 (text messages, the local-currency account,
Kakao and Naver): a threaded HTTP server on a free port, started and stopped by ``with``, and a handler that
answers JSON. Each provider's protocol stays in its own file, as a JSONHandler subclass."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class JSONHandler(BaseHTTPRequestHandler):
    content_type = "application/json"

    def log_message(self, *args):
        pass

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _answer(self, status: int, body) -> None:
        self._send(status, json.dumps(body).encode(), self.content_type)

    def _read_json(self) -> dict:
        length = int(self.headers.get("Content-Length", 0))
        return json.loads(self.rfile.read(length) or b"{}")


class LocalServer:
    """``with Provider() as server:`` serves ``handler`` at ``server.url`` until the block ends."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
