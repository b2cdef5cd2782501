"""A local stand-in for GOV.UK Notify's API, started by the tests (the tests never reach the network).

It checks what Notify checks about a request (the path, the JWT's signature, issuer and age, the JSON body) and
answers as Notify does: 201 with the notification, or an error status with Notify's `errors` list.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"dcp_test-{SERVICE_ID}-{SECRET}"


def _decode(part: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


@dataclass
class FakeNotify:
    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    # The next answers to give, in order (status, body); when empty, 201 with a notification.
    answers: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    def check_token(self, header: str) -> str | None:
        scheme, _, token = header.partition(" ")
        if scheme != "Bearer" or token.count(".") != 2:
            return "Unauthorized: authentication token must be provided"
        head, claims, signature = token.split(".")
        expected = hmac.new(SECRET.encode(), f"{head}.{claims}".encode(), hashlib.sha256).digest()
        if base64.urlsafe_b64encode(expected).rstrip(b"=").decode() != signature:
            return "Invalid token: signature, api token is not valid"
        if _decode(head) != {"typ": "JWT", "alg": "HS256"}:
            return "Invalid token: algorithm used is not HS256"
        payload = _decode(claims)
        if payload.get("iss") != SERVICE_ID:
            return "Invalid token: service not found"
        if abs(time.time() - payload.get("iat", 0)) > 30:
            return "Error: Your system clock must be accurate to within 30 seconds"
        return None


@contextmanager
def serve(fake: FakeNotify) -> Iterator[FakeNotify]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
            problem = fake.check_token(self.headers.get("Authorization", ""))
            if self.path != "/v2/notifications/email":
                status, answer = 404, {"status_code": 404, "errors": [{"error": "NotFound", "message": "Not found"}]}
            elif problem:
                status, answer = 403, {"status_code": 403, "errors": [{"error": "AuthError", "message": problem}]}
            elif fake.answers:
                status, answer = fake.answers.pop(0)
            else:
                fake.received.append(body)
                status, answer = 201, {"id": "740e5834-3a29-46b4-9a6f-16142fde533a", "reference": body.get("reference"),
                                       "content": {"subject": "", "body": "", "from_email": "service@notify.example"}}
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
