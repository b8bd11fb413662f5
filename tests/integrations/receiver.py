"""A real HTTP receiver on loopback, for webhook tests."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    received: list[Received] = field(default_factory=list)
    # Status codes to answer with, in order; 200 once they run out.
    planned: deque = field(default_factory=deque)
    # When set, each request waits for this event before it is answered.
    gate: threading.Event | None = None
    answered: int = 0
    arrived: threading.Event = field(default_factory=threading.Event)


def start_receiver() -> tuple[Receiver, ThreadingHTTPServer]:
    receiver = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.received.append(Received(dict(self.headers.items()), body))
            receiver.arrived.set()
            if receiver.gate is not None:
                receiver.gate.wait(10)
            status = receiver.planned.popleft() if receiver.planned else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()
            receiver.answered += 1

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/broadsheet"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver, server
