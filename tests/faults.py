"""A loopback mirror that misbehaves on demand, as a real portal does on a bad day.

`FaultyMirror(root)` serves a snapshot folder like `Mirror`, except for the paths in
`mirror.faults`, which answer with a `Fault` — a status, a hang, a body cut short, a dropped
connection, a redirect loop, a slow but correct answer, or any bytes under any header — for its first `times` requests
(None: every request). `mirror.hits` counts the requests of each path.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from scraper.mirror import Mirror


@dataclass
class Fault:
    kind: str  # "status", "hang", "truncate", "drop", "loop", "slow", "serve"
    status: int = 500
    seconds: float = 5.0  # how long "hang" and "slow" wait
    times: int | None = None  # fault this many requests, then answer normally
    body: bytes = b""  # what "serve" answers, with this Content-Type
    content_type: str = "text/html"


class FaultyMirror(Mirror):
    def __init__(self, root: Path) -> None:
        # One connection per request: on a kept-alive connection Twisted's client resends a
        # request whose connection died unanswered, which would blur the counts of tries.
        super().__init__(root, keep_alive=False)
        self.faults: dict[str, Fault] = {}
        self.hits: Counter[str] = Counter()
        self._lock = threading.Lock()

    def answer(self, request: BaseHTTPRequestHandler, send_body: bool) -> None:
        with self._lock:
            self.hits[request.path] += 1
            fault = self.faults.get(request.path)
            if fault is not None and fault.times is not None:
                if fault.times <= 0:
                    fault = None
                else:
                    fault.times -= 1
        if fault is None:
            return super().answer(request, send_body)
        if fault.kind == "status":
            body = f"<h1>{fault.status}</h1>".encode()
            request.send_response(fault.status)
            request.send_header("Content-Type", "text/html; charset=utf-8")
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            request.wfile.write(body)
        elif fault.kind == "hang":  # accept, then say nothing past the crawler's timeout
            time.sleep(fault.seconds)
            request.close_connection = True
        elif fault.kind == "truncate":  # promise the whole page, send half of it
            body = self.routes[request.path].read_bytes()
            request.send_response(200)
            request.send_header("Content-Type", "text/html; charset=utf-8")
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            request.wfile.write(body[: len(body) // 2])
            request.wfile.flush()
            request.close_connection = True
        elif fault.kind == "drop":  # a reset: the connection dies before any answer
            request.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
            request.close_connection = True
        elif fault.kind == "loop":
            request.send_response(302)
            request.send_header("Location", request.path)
            request.send_header("Content-Length", "0")
            request.end_headers()
        elif fault.kind == "serve":  # any bytes, under any declared encoding
            request.send_response(200)
            request.send_header("Content-Type", fault.content_type)
            request.send_header("Content-Length", str(len(fault.body)))
            request.end_headers()
            if send_body:
                request.wfile.write(fault.body)
        elif fault.kind == "slow":
            time.sleep(fault.seconds)
            super().answer(request, send_body)
        else:
            raise ValueError(f"unknown fault {fault.kind!r}")


_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def windows_1258(text: str) -> bytes:
    """`text` as an old Vietnamese CMS writes it: windows-1258 holds â, ê, ô, ă, ơ, ư but
    puts the five tone marks after the letter as combining characters."""
    out = []
    for char in text:
        try:
            out.append(char.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", char)
        letter = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        tones = "".join(c for c in parts if c in _TONES)
        out.append((letter + tones).encode("cp1258", errors="xmlcharrefreplace"))
    return b"".join(out)
