"""The stand-in Chatwoot server: a threaded HTTP server on 127.0.0.1 (port 0 by default).

- `/api/v1/accounts/{id}/…` and `/profile`: the REST API (`api_routes.py`), token in the
  `api_access_token` header (401 `Invalid Access Token` otherwise, 401 for another account).
- `/_test/…` (never behind Prism): `reset`, `state`, `stored` (a count), `agent_reply` (an
  agent's reply, note or attachment), `resolve`, `outage` (`{"seconds": s, "mode":
  "503"|"refuse"}`).
- Webhooks to the inbox's agent bot `outgoing_url`: `message_created` for every new incoming
  or outgoing message (private notes included, `private: true`) and
  `conversation_status_changed`; one attempt, 5 s timeout, no retry, each from its own thread
  (so, as in Chatwoot, their order is not guaranteed).

Run alone: `python -m tests.chatwoot_standin.server [--port N] [--token T]
[--bot-overrides-status]`.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.chatwoot_standin import views
from tests.chatwoot_standin.api_routes import dispatch
from tests.chatwoot_standin.control import control
from tests.chatwoot_standin.state import WEBHOOK_TIMEOUT, ChatwootState, NotFound

MAX_BODY = 1024 * 1024


class StandIn:
    """A running stand-in: `url`, `state`, and `close()`."""

    def __init__(self, state: ChatwootState | None = None, port: int = 0) -> None:
        self.state = state or ChatwootState()
        self.down_until = 0.0
        self._httpd = _Server(("127.0.0.1", port), _Handler)
        self._httpd.standin = self
        self.port = self._httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        self._closed = False

    def close(self) -> None:
        """Stop serving (idempotent)."""
        if not self._closed:
            self._closed = True
            self._httpd.shutdown()
            self._httpd.server_close()

    def refuse_for(self, seconds: float) -> None:
        """Close the listening socket (connections refused), reopen it on the same port."""
        self._httpd.shutdown()
        self._httpd.server_close()

        def reopen() -> None:
            time.sleep(seconds)
            self._httpd = _Server(("127.0.0.1", self.port), _Handler)
            self._httpd.standin = self
            threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

        threading.Thread(target=reopen, daemon=True).start()

    def send_events(self) -> None:
        """Deliver the webhooks the last request produced (one attempt each)."""
        with self.state.lock:
            events, self.state.events[:] = list(self.state.events), []
            jobs = [self._webhook(kind, item) for kind, item in events]
        for url, body in (job for job in jobs if job is not None):
            threading.Thread(target=self._deliver, args=(url, body), daemon=True).start()

    def _webhook(self, kind: str, item: Any) -> tuple[str, dict[str, Any]] | None:
        state = self.state
        if kind == "message":
            inbox_id = state.conversation(item.conversation_id).inbox_id
            body = views.message_created(state, item)
        else:
            conv, previous = item
            inbox_id = conv.inbox_id
            body = views.status_changed(state, conv, previous)
        url = state.bot_url(inbox_id)
        return (url, body) if url else None

    def _deliver(self, url: str, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        request = urllib.request.Request(
            url,
            data=data,
            method="POST",
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        record: dict[str, Any] = {"event": body["event"], "id": body.get("id"), "url": url}
        try:
            with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as answer:
                record["status"] = answer.status
        except urllib.error.HTTPError as exc:
            record["status"] = exc.code
        except (OSError, ValueError) as exc:
            record["error"] = type(exc).__name__
        with self.state.lock:
            self.state.deliveries.append(record)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    standin: StandIn


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _answer(self, status: int, payload: Any) -> None:
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        if payload is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _read_body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(min(length, MAX_BODY)) if length else b""
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None

    def _handle(self) -> None:
        standin = self.server.standin
        parts = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(parts.query))
        body = self._read_body()
        if parts.path.startswith("/_test/"):
            status, payload = control(standin, self.command, parts.path[7:], body)
        elif time.monotonic() < standin.down_until:
            status, payload = 503, {"error": "Service Unavailable"}
        else:
            status, payload = self._api(standin.state, parts.path, query, body)
        self._answer(status, payload)
        standin.send_events()

    def _api(self, state: ChatwootState, path: str, query: dict[str, str], body: Any) -> Any:
        with state.lock:
            state.requests.append(f"{self.command} {path}")
            if self.headers.get("api_access_token") != state.token:
                return 401, {"error": "Invalid Access Token"}
            if path in ("/profile", "/api/v1/profile"):
                return 200, {"id": 1, "name": "Stand-in Admin", "account_id": state.account_id,
                             "role": "administrator"}  # fmt: skip
            prefix = f"/api/v1/accounts/{state.account_id}/"
            if not path.startswith(prefix):
                if path.startswith("/api/v1/accounts/"):
                    return 401, {"error": "You are not authorized to access this account"}
                return 404, {"error": "Resource could not be found"}
            try:
                return dispatch(state, self.command, "/" + path[len(prefix) :], query, body)
            except NotFound:
                return 404, {"error": "Resource could not be found"}

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle


def main() -> None:
    """Serve until interrupted; print the URL on the first line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default=ChatwootState.token)
    parser.add_argument(
        "--bot-overrides-status",
        action="store_true",
        help="a bot's inbox starts conversations as bot whatever was asked (Chatwoot v3+)",
    )
    args = parser.parse_args()
    state = ChatwootState(token=args.token, bot_overrides_status=args.bot_overrides_status)
    standin = StandIn(state, port=args.port)
    print(standin.url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        standin.close()


if __name__ == "__main__":
    main()
