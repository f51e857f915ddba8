"""A loopback HTTP server over a saved copy of a portal (the demo snapshot, test fixtures).

A snapshot folder holds `index.json`, mapping each URL path — with its query, `?page=N`
included — to a file in the folder. Anything else answers 404, as the real site would.
"""

from __future__ import annotations

import json
import mimetypes
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType


def load_routes(root: Path) -> dict[str, Path]:
    index = json.loads((root / "index.json").read_text(encoding="utf-8"))
    return {route: root / name for route, name in index["routes"].items()}


class Mirror:
    """`with Mirror(root) as mirror:` serves `root` at `mirror.url` until the block ends."""

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        routes = load_routes(root)
        # Tests may set path → target redirects (301), as a portal does for moved articles.
        self.redirects: dict[str, str] = {}
        redirects = self.redirects

        class Handler(BaseHTTPRequestHandler):
            server_version = "vnnews-mirror"

            def do_GET(self) -> None:
                self._answer(send_body=True)

            def do_HEAD(self) -> None:
                self._answer(send_body=False)

            def _answer(self, send_body: bool) -> None:
                if self.path in redirects:
                    self.send_response(301)
                    self.send_header("Location", redirects[self.path])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                path = routes.get(self.path)
                if path is None or not path.is_file():
                    status, body, ctype = 404, b"<h1>404 - Not found</h1>", "text/html"
                else:
                    status, body = 200, path.read_bytes()
                    ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                self.send_response(status)
                charset = "; charset=utf-8" if ctype.startswith("text/") else ""
                self.send_header("Content-Type", ctype + charset)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if send_body:
                    self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass  # the crawler logs what it fetched

        self.host = host
        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

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
