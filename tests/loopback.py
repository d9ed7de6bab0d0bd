"""Real servers on loopback for the tests that send: an SMTP server (aiosmtpd) that keeps what it
receives, and an HTTP server that keeps the JSON POSTed to it (webhooks, SMS gateways) and can be
told to fail. Import the fixtures into a test module or conftest: ``from loopback import smtp_server``."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


class SMTPSink:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd API)
        self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                              "data": envelope.original_content or envelope.content})
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[str, int, SMTPSink]]:
    controller_mod = pytest.importorskip("aiosmtpd.controller")
    sink = SMTPSink()
    with socket.socket() as probe:  # a free port (aiosmtpd's Controller cannot use port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = controller_mod.Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield "127.0.0.1", port, sink
    finally:
        controller.stop()


class HTTPSink:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.fail_next = 0  # answer 500 this many times
        self.answer: dict[str, Any] = {"errcode": 0, "errmsg": "ok"}


@pytest.fixture
def http_server() -> Iterator[tuple[str, HTTPSink]]:
    sink = HTTPSink()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server API)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            sink.requests.append({"path": self.path, "json": json.loads(body.decode("utf-8")),
                                  "content_type": self.headers.get("Content-Type")})
            if sink.fail_next > 0:
                sink.fail_next -= 1
                self.send_response(500)
                self.end_headers()
                return
            out = json.dumps(sink.answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", sink
    finally:
        server.shutdown()
        server.server_close()
