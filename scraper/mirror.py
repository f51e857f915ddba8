"""A loopback HTTP server over a saved copy of a portal (the demo snapshot, test fixtures).

A snapshot folder holds `index.json`, mapping each URL path — with its query, `?page=N`
included — to a file in the folder. Anything else answers 404, as the real site would.
"""

from __future__ import annotations

import json
import mimetypes
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType


class _QuietServer(ThreadingHTTPServer):
    # A crawler opens many connections at once; the default backlog of 5 drops some, which
    # then wait a second for a SYN retry and look like a slow or dead portal.
    request_queue_size = 128

    def handle_error(self, request: object, client_address: object) -> None:
        # A crawler that hangs up mid-answer (its timeout, its shutdown) is not an error here.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


def load_routes(root: Path) -> dict[str, Path]:
    index = json.loads((root / "index.json").read_text(encoding="utf-8"))
    return {route: root / name for route, name in index["routes"].items()}


class Mirror:
    """`with Mirror(root) as mirror:` serves `root` at `mirror.url` until the block ends."""

    def __init__(
        self, root: Path, host: str = "127.0.0.1", port: int = 0, keep_alive: bool = True
    ) -> None:
        self.routes = load_routes(root)
        # Tests may set path → target redirects (301), as a portal does for moved articles.
        self.redirects: dict[str, str] = {}
        mirror = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "vnnews-mirror"
            # Keep-alive, as the portals answer: a new connection per page cost the crawler
            # a fifth of its time. Every answer below says its Content-Length.
            protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"
            # Headers and body go out in two writes; with Nagle's algorithm the second waits
            # for the client's delayed ACK (40 ms) on a kept-alive connection.
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                mirror.answer(self, send_body=True)

            def do_HEAD(self) -> None:
                mirror.answer(self, send_body=False)

            def log_message(self, format: str, *args: object) -> None:
                pass  # the crawler logs what it fetched

        self.host = host
        self.server = _QuietServer((host, port), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(self, request: BaseHTTPRequestHandler, send_body: bool) -> None:
        """Answer one request as the saved site would (tests override this to misbehave)."""
        if request.path in self.redirects:
            request.send_response(301)
            request.send_header("Location", self.redirects[request.path])
            request.send_header("Content-Length", "0")
            request.end_headers()
            return
        path = self.routes.get(request.path)
        if path is None or not path.is_file():
            status, body, ctype = 404, b"<h1>404 - Not found</h1>", "text/html"
        else:
            status, body = 200, path.read_bytes()
            ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        request.send_response(status)
        charset = "; charset=utf-8" if ctype.startswith("text/") else ""
        request.send_header("Content-Type", ctype + charset)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        if send_body:
            request.wfile.write(body)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.server.server_port}"

    def start(self) -> Mirror:
        self._thread.start()
        return self

    def wait(self) -> None:
        """Block until the server stops (Ctrl-C in `vnnews mirror`)."""
        self._thread.join()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> Mirror:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
