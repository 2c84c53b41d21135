"""The words of a mail or a text, in the recipient's language, and the signed one-click unsubscribe link."""
from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app, has_request_context, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.auth.models import User
from app.channels.models import Channel
from app.notifications.kinds import render
from app.urls import public_url


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="maeul-unsubscribe")


def unsubscribe_token(user_id: int, kind: str, channel: Channel) -> str:
    return _serializer().dumps({"u": user_id, "k": kind, "c": channel.value})


def read_unsubscribe_token(token: str) -> tuple[int, str, Channel] | None:
    """(user id, kind, channel), or None for a token that was not made here or is too old."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["UNSUBSCRIBE_MAX_AGE"])
        return int(data["u"]), str(data["k"]), Channel(data["c"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None


def locale_of(user: User) -> str:
    return user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]


def _render(template: str, **context) -> str:
    """Render in a request context of the public address when there is none (a queue worker)."""
    if has_request_context():
        return render_template(template, **context)
    with current_app.test_request_context("/", base_url=current_app.config["PUBLIC_BASE_URL"]):
        with force_locale(context["locale"]):
            return render_template(template, **context)


def _mail(user: User, subject: str, template: str, unsubscribe_kind: str, reference: str, **context) -> EmailMessage:
    config = current_app.config
    context["locale"] = locale_of(user)
    link = public_url(f"/notifications/unsubscribe/{unsubscribe_token(user.id, unsubscribe_kind, Channel.EMAIL)}")
    context.update(user=user, unsubscribe_url=link, preferences_url=public_url("/notifications/preferences"))
    message = EmailMessage()
    message["From"] = formataddr((config["MAIL_SENDER_NAME"], config["MAIL_SENDER"]))
    message["To"] = user.email
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(idstring=reference.replace(":", "."), domain="maeul")
    # RFC 2369 and RFC 8058: mail programs show an "unsubscribe" button that POSTs to the link at once.
    message["List-Unsubscribe"] = f"<{link}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(_render(f"channels/mail/{template}.txt", **context))
    message.add_alternative(_render(f"channels/mail/{template}.html", **context), subtype="html")
    return message


def notification_mail(user: User, kind: str, params: dict, url: str, reference: str) -> EmailMessage:
    with force_locale(locale_of(user)):
        text = render(kind, params)
        subject = _("[Maeul] %(message)s", message=_shorten(text, 70))
        return _mail(user, subject, "notification", kind, reference, text=text,
                     link=public_url(url or "/notifications/"))


def digest_mail(user: User, period: str, items: list[tuple[str, str, object]], reference: str) -> EmailMessage:
    """``items``: (text, absolute link, moment) of each notification in the period."""
    with force_locale(locale_of(user)):
        subject = (_("[Maeul] Your daily digest: %(count)s notifications", count=len(items)) if period == "daily"
                   else _("[Maeul] Your weekly digest: %(count)s notifications", count=len(items)))
        return _mail(user, subject, "digest", f"digest_{period}", reference, items=items, period=period,
                     link=public_url("/notifications/"))


def notification_text(user: User, kind: str, params: dict, url: str) -> str:
    with force_locale(locale_of(user)):
        return _("[Maeul] %(message)s %(link)s", message=_shorten(render(kind, params), 120),
                 link=public_url(url or "/notifications/"))


def digest_text(user: User, period: str, count: int) -> str:
    with force_locale(locale_of(user)):
        if period == "daily":
            return _("[Maeul] %(count)s new notifications yesterday: %(link)s", count=count,
                     link=public_url("/notifications/"))
        return _("[Maeul] %(count)s new notifications last week: %(link)s", count=count,
                 link=public_url("/notifications/"))


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
