"""Text messages (SMS, LMS and KakaoTalk 알림톡) through one HTTP message provider.

The protocol is the one Korean bulk-message providers document (NHN Cloud, Solapi, Aligo look alike):

    POST {TEXT_PROVIDER_URL}/v1/messages
    X-Api-Key: {TEXT_PROVIDER_KEY}
    Idempotency-Key: {reference}          (a retried request is sent once by the provider)
    {"type": "SMS" | "LMS" | "ATA", "from": "0415402114", "to": "01012345678", "text": "...",
     "templateCode": "...", "variables": {...}, "senderKey": "...", "reference": "..."}

``ATA`` is an 알림톡 (a Kakao template message); its ``text`` is the SMS the provider sends instead when the
recipient cannot get KakaoTalk (failover). The answer is JSON: 2xx ``{"messageId": "..."}``; 4xx
``{"errorCode": "...", "errorMessage": "..."}`` (refused: the number, template or key is wrong; sending it
again will not help, except 408 and 429); 5xx, a time-out or a broken connection: failed, try again later.

Without TEXT_PROVIDER_URL (development), a text is written to TEXT_OUTBOX_DIR and the log names the file.
"""
from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from app.core import utcnow

SMS_MAX_BYTES = 90  # one SMS holds 90 bytes of EUC-KR (45 Hangul syllables); longer texts go as LMS


@dataclass
class TextResult:
    """``sent``: the provider accepted it; ``refused``: it never will; ``failed``: try again later."""

    outcome: str
    message_id: str | None = None
    error_code: str = ""
    detail: str = ""

    @property
    def sent(self) -> bool:
        return self.outcome == "sent"


@dataclass
class TextMessage:
    to: str
    text: str
    reference: str
    template_code: str | None = None
    variables: dict = field(default_factory=dict)

    def payload(self, sender: str, sender_key: str) -> dict:
        body: dict = {"from": sender, "to": self.to, "text": self.text, "reference": self.reference}
        if self.template_code and sender_key:
            body.update(type="ATA", templateCode=self.template_code, variables=self.variables, senderKey=sender_key)
        else:
            body["type"] = "SMS" if len(self.text.encode("euc-kr", errors="replace")) <= SMS_MAX_BYTES else "LMS"
        return body


class TextProvider:
    def __init__(self, url: str, key: str, timeout: float, sender: str, sender_key: str = ""):
        self.url, self.key, self.timeout = url.rstrip("/"), key, timeout
        self.sender, self.sender_key = sender, sender_key

    @classmethod
    def from_config(cls) -> "TextProvider":
        config = current_app.config
        return cls(config["TEXT_PROVIDER_URL"], config["TEXT_PROVIDER_KEY"], config["TEXT_PROVIDER_TIMEOUT"],
                   config["TEXT_SENDER_NUMBER"], config["TEXT_KAKAO_SENDER_KEY"])

    def send(self, message: TextMessage) -> TextResult:
        data = json.dumps(message.payload(self.sender, self.sender_key)).encode()
        headers = {"X-Api-Key": self.key, "Content-Type": "application/json", "Accept": "application/json",
                   "Idempotency-Key": message.reference}
        request = urllib.request.Request(self.url + "/v1/messages", data=data, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            try:
                answer = json.loads(error.read() or b"{}")
            except ValueError:
                answer = {}
            finally:
                error.close()
            code = str(answer.get("errorCode") or f"HTTP_{error.code}")[:60] if isinstance(answer, dict) else ""
            detail = str(answer.get("errorMessage", ""))[:200] if isinstance(answer, dict) else ""
            outcome = "refused" if 400 <= error.code < 500 and error.code not in (408, 429) else "failed"
            return TextResult(outcome, error_code=code or f"HTTP_{error.code}", detail=detail or f"HTTP {error.code}")
        except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, ValueError) as error:
            return TextResult("failed", error_code=type(error).__name__, detail=str(error)[:200])
        message_id = answer.get("messageId") if isinstance(answer, dict) else None
        if not message_id:
            return TextResult("failed", error_code="NO_MESSAGE_ID", detail="the provider named no message id")
        return TextResult("sent", message_id=str(message_id)[:100])


def _write_outbox(message: TextMessage) -> TextResult:
    outbox = Path(current_app.config["TEXT_OUTBOX_DIR"])
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox / f"{utcnow():%Y%m%dT%H%M%S%f}-{message.reference[:40]}.json"
    path.write_text(json.dumps({"to": message.to, "text": message.text, "templateCode": message.template_code,
                                "variables": message.variables}, ensure_ascii=False), encoding="utf-8")
    current_app.logger.warning("Text message written to the outbox: %s", path)
    return TextResult("sent", message_id=f"outbox:{path.name}")


def send_text(message: TextMessage) -> TextResult:
    """Send now through the configured provider (or the development outbox). Never raises for the
    provider's failures: the result says what happened."""
    if not current_app.config["TEXT_PROVIDER_URL"]:
        return _write_outbox(message)
    return TextProvider.from_config().send(message)
