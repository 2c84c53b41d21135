"""Local-currency providers behind one interface, chosen by WALKING_CONVERSION_PROVIDER.

``coupon`` issues a mobile coupon here (no outside call). ``account`` credits the resident's linked
local-currency account (Asan Pay / chak) over HTTP: POST {URL}/transfers with the conversion's
``provider_key`` as Idempotency-Key, so a retried request is credited once by the provider too;
GET {URL}/transfers/{key} tells whether a transfer we never heard back about was made."""
from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass

from flask import current_app


@dataclass
class TransferAnswer:
    """``done``: the provider credited the account; ``refused``: it never will (release the amount);
    ``unknown``: no usable answer (timeout, 5xx, network): keep the amount reserved and ask again."""

    outcome: str
    reference: str | None = None
    detail: str = ""


class AccountProvider:
    def __init__(self, url: str, key: str, timeout: float):
        self.url, self.key, self.timeout = url.rstrip("/"), key, timeout

    @classmethod
    def from_config(cls) -> "AccountProvider":
        config = current_app.config
        return cls(config["WALKING_ACCOUNT_URL"], config["WALKING_ACCOUNT_KEY"], config["WALKING_ACCOUNT_TIMEOUT"])

    def _call(self, method: str, path: str, body: dict | None, idempotency_key: str | None = None) -> TransferAnswer:
        if not self.url:
            return TransferAnswer("unknown", detail="WALKING_ACCOUNT_URL is not set")
        headers = {"Authorization": f"Bearer {self.key}", "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            error.close()
            if error.code in (400, 402, 404, 409, 422):
                return TransferAnswer("refused", detail=f"HTTP {error.code}")
            return TransferAnswer("unknown", detail=f"HTTP {error.code}")
        except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, ValueError) as error:
            return TransferAnswer("unknown", detail=type(error).__name__ + ": " + str(error)[:200])
        if payload.get("status") == "completed" and payload.get("transfer_id"):
            return TransferAnswer("done", reference=str(payload["transfer_id"])[:100])
        if payload.get("status") == "rejected":
            return TransferAnswer("refused", detail=str(payload.get("reason", ""))[:200])
        return TransferAnswer("unknown", detail="unexpected answer")

    def transfer(self, *, account: str, amount_won: int, key: str) -> TransferAnswer:
        return self._call("POST", "/transfers", {"account": account, "amount": amount_won, "reference": key}, key)

    def status(self, key: str) -> TransferAnswer:
        """After a long silence: ``refused`` when the provider has no such transfer (HTTP 404)."""
        return self._call("GET", f"/transfers/{key}", None)


def provider_name() -> str:
    name = current_app.config["WALKING_CONVERSION_PROVIDER"]
    return name if name in ("coupon", "account") else "coupon"
