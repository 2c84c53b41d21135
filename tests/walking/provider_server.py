"""A local-currency account provider for tests, on 127.0.0.1: it speaks the protocol of
app/walking/services/providers.py and can answer slowly, fail, time out or answer twice."""
from __future__ import annotations

import threading
import time

from tests.http_server import JSONHandler, LocalServer


class FakeProvider(LocalServer):
    """``mode``: ok | fail (HTTP 503) | slow (answers after ``delay`` s) | refuse (HTTP 422) |
    drop (credits the account, then closes without answering) | post-fail (transfers fail with 503, status
    look-ups answer)."""

    def __init__(self, key="provider-key"):
        self.key = key
        self.mode = "ok"
        self.delay = 0.0
        self.transfers: dict[str, dict] = {}  # Idempotency-Key -> transfer: each credited once
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        provider = self

        class Handler(JSONHandler):
            def do_POST(self):
                payload = self._read_json()
                key = self.headers.get("Idempotency-Key", "")
                provider.requests.append(("POST", key))
                if self.headers.get("Authorization") != f"Bearer {provider.key}":
                    return self._answer(401, {"error": "bad key"})
                if provider.mode in ("fail", "post-fail"):
                    return self._answer(503, {"error": "maintenance"})
                if provider.mode == "refuse":
                    return self._answer(422, {"status": "rejected", "reason": "no such account"})
                with provider.lock:
                    transfer = provider.transfers.get(key)
                    if transfer is None:
                        transfer = {"transfer_id": f"T{len(provider.transfers) + 1:05d}", "status": "completed",
                                    "account": payload["account"], "amount": payload["amount"]}
                        provider.transfers[key] = transfer
                if provider.mode == "drop":
                    self.close_connection = True
                    self.connection.close()
                    return
                if provider.mode == "slow":
                    time.sleep(provider.delay)
                self._answer(201, transfer)

            def do_GET(self):
                key = self.path.rsplit("/", 1)[-1]
                provider.requests.append(("GET", key))
                if provider.mode == "fail":
                    return self._answer(503, {"error": "maintenance"})
                transfer = provider.transfers.get(key)
                if transfer is None:
                    return self._answer(404, {"error": "no such transfer"})
                self._answer(200, transfer)

        super().__init__(Handler)

    def credited_total(self) -> int:
        return sum(t["amount"] for t in self.transfers.values())
