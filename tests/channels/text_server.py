"""A text-message provider for tests, on 127.0.0.1, speaking the protocol of app/channels/texts.py:
POST /v1/messages with X-Api-Key and Idempotency-Key, JSON in and out."""
from __future__ import annotations

import threading
import time

from tests.http_server import JSONHandler, LocalServer


class TextProviderServer(LocalServer):
    """``mode``: ok | refuse (HTTP 400 INVALID_RECIPIENT) | fail (HTTP 503) | slow (answers after ``delay``
    seconds, past the client's time-out). ``messages`` holds every accepted message once per Idempotency-Key."""

    def __init__(self, key="text-key"):
        self.key = key
        self.mode = "ok"
        self.delay = 0.0
        self.messages: list[dict] = []
        self.by_key: dict[str, str] = {}
        self.requests = 0
        self.lock = threading.Lock()
        provider = self

        class Handler(JSONHandler):
            def do_POST(self):
                payload = self._read_json()
                with provider.lock:
                    provider.requests += 1
                if self.path != "/v1/messages":
                    return self._answer(404, {"errorCode": "NOT_FOUND", "errorMessage": self.path})
                if self.headers.get("X-Api-Key") != provider.key:
                    return self._answer(401, {"errorCode": "INVALID_API_KEY", "errorMessage": "bad key"})
                if provider.mode == "slow":
                    time.sleep(provider.delay)
                if provider.mode == "fail":
                    return self._answer(503, {"errorCode": "SYSTEM_ERROR", "errorMessage": "maintenance"})
                if provider.mode == "refuse" or not str(payload.get("to", "")).startswith("01"):
                    return self._answer(400, {"errorCode": "INVALID_RECIPIENT", "errorMessage": "no such number"})
                key = self.headers.get("Idempotency-Key", "")
                with provider.lock:
                    message_id = provider.by_key.get(key)
                    if message_id is None:
                        message_id = f"M{len(provider.messages) + 1:06d}"
                        provider.by_key[key] = message_id
                        provider.messages.append({**payload, "messageId": message_id, "key": key})
                self._answer(200, {"messageId": message_id, "status": "accepted"})

        super().__init__(Handler)

    def texts_to(self, number: str) -> list[str]:
        return [message["text"] for message in self.messages if message["to"] == number]
