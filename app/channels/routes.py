"""Pages: the resident's channel preferences, the one-click unsubscribe, and the staff list of messages that
could not be sent."""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.models import ConsentItem, User
from app.auth.services import has_consent
from app.channels import bp, delivery, preferences
from app.channels.messages import read_unsubscribe_token
from app.channels.models import Channel, Delivery, DeliveryStatus, Frequency
from app.core import page_number
from app.extensions import db
from app.web import authorize, run_service


def can_manage_deliveries(user) -> bool:
    return bool(user.is_authenticated and user.is_staff)


def _preferences_page(status: int = 200):
    from app.phones.services import masked_phone

    choices = preferences.choices_for(current_user)
    rows: dict[str, dict] = {}
    for choice in choices:
        rows.setdefault(choice.kind, {})[choice.channel.value] = choice
    return render_template(
        "channels/preferences.html", rows=rows, label=preferences.kind_label, frequencies=list(Frequency),
        channels=list(Channel), consent=has_consent(current_user, ConsentItem.NOTIFICATIONS),
        phone=masked_phone(current_user)), status


def form_choices(form) -> dict[tuple[str, str], str]:
    """``{kind}.{channel}`` fields of the preferences form as ``{(kind, channel): frequency}``."""
    wanted = {}
    for name, value in form.items():
        if name == "csrf_token":
            continue
        kind, _, channel = name.rpartition(".")
        wanted[(kind or name, channel)] = value
    return wanted


@bp.route("/notifications/preferences", methods=["GET"])
@login_required
def preferences_page():
    return _preferences_page()


@bp.route("/notifications/preferences", methods=["POST"])
@login_required
def save_preferences():
    if run_service(lambda: preferences.set_preferences(current_user, form_choices(request.form)),
                   _("Your notification choices were saved.")):
        return redirect(url_for("channels.preferences_page"))
    return _preferences_page(422)


@bp.route("/notifications/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """GET shows a button (mail scanners open links, so GET changes nothing); POST, from that button or
    from a mail program's one-click unsubscribe (RFC 8058), turns the kind off for the mail channel."""
    found = read_unsubscribe_token(token)
    if found is None:
        abort(404)
    user_id, kind, channel = found
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        abort(404)
    label = (_("the daily digest") if kind == "digest_daily" else _("the weekly digest") if kind == "digest_weekly"
             else preferences.kind_label(kind))
    if request.method == "GET":
        return render_template("channels/unsubscribe.html", token=token, label=label, done=False)
    if not run_service(lambda: preferences.turn_off(user, kind, channel)):
        abort(404)
    return render_template("channels/unsubscribe.html", token=token, label=label, done=True)


@bp.route("/staff/deliveries")
@login_required
def staff_deliveries():
    authorize(can_manage_deliveries(current_user))
    status = request.args.get("status") or None
    if status is not None and status not in {s.value for s in DeliveryStatus}:
        abort(404)
    pagination = delivery.failed_deliveries(page_number(), status=status)
    return render_template("channels/staff_deliveries.html", pagination=pagination, status=status,
                           statuses=list(DeliveryStatus))


@bp.route("/staff/deliveries/<int:delivery_id>/retry", methods=["POST"])
@login_required
def retry_delivery(delivery_id: int):
    authorize(can_manage_deliveries(current_user))
    row = db.session.get(Delivery, delivery_id) or abort(404)
    run_service(lambda: delivery.send_again(row, current_user),
                lambda outcome: _("Sent.") if outcome == DeliveryStatus.SENT.value
                else _("Tried again: %(status)s", status=DeliveryStatus(outcome).label))
    return redirect(url_for("channels.staff_deliveries"))
