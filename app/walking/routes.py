"""Resident pages (phone first): today and the week, the month, balance and history, phone uploads,
the app token, conversions and coupons, missions. Staff and clerk pages are in ``routes_staff.py``."""
from __future__ import annotations

import secrets
from datetime import date, timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.models import ConsentItem
from app.auth.permissions import require
from app.auth.services import has_consent, issue_api_token, revoke_token, scoped_tokens
from app.core import DomainError, ValidationFailed, page_number
from app.extensions import db
from app.walking import bp
from app.walking.charts import barcode_svg, steps_chart
from app.walking.forms import ActionForm, CheckInForm, ConvertForm, PayAccountForm, UploadForm
from app.walking.models import Conversion, Mission, MissionKind, Provider
from app.walking.permissions import can_view_conversion, can_walk
from app.walking.services import conversions as conversion_services
from app.walking.services import missions as mission_services
from app.walking.services import participation, today
from app.walking.services import wallet as wallet_services
from app.walking.services.imports import upload_phone_export
from app.walking.services.providers import provider_name
from app.walking.services.rules import rule_on
from app.web import run_service

STEPS_SCOPE = "steps"


@bp.route("/", endpoint="today")
@login_required
def today_page():
    require(can_walk)
    participant = participation.participant_of(current_user)
    last = today()
    week = wallet_services.days_between(current_user.id, last - timedelta(days=6), last)
    return render_template(
        "walking/today.html", participant=participant, wallet=wallet_services.wallet(current_user), week=week,
        chart=steps_chart(week, title=_("Steps in the last 7 days")), rule=rule_on(last), form=ActionForm(),
        health_consent=has_consent(current_user, ConsentItem.HEALTH),
        retention_days=current_app.config["WALKING_RETENTION_DAYS"],
    )


@bp.route("/join", methods=["POST"])
@login_required
def join():
    require(can_walk)
    if ActionForm().validate_on_submit():
        run_service(lambda: participation.join(current_user), _("You joined the walking programme."))
    return redirect(url_for("walking.today"))


@bp.route("/leave", methods=["POST"])
@login_required
def leave():
    require(can_walk)
    if ActionForm().validate_on_submit():
        run_service(lambda: participation.leave(current_user), _(
            "You left the walking programme. No more steps are collected; your step records are deleted "
            "%(days)s days after they were received and your mileage stays yours.",
            days=current_app.config["WALKING_RETENTION_DAYS"]))
    return redirect(url_for("walking.today"))


@bp.route("/month")
@login_required
def month():
    require(can_walk)
    try:
        first = date.fromisoformat(request.args.get("month", "") + "-01")
    except ValueError:
        first = today().replace(day=1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    days = wallet_services.days_between(current_user.id, first, min(last, today()) if first <= today() else first)
    previous = (first - timedelta(days=1)).replace(day=1)
    following = last + timedelta(days=1)
    return render_template("walking/month.html", days=days, first=first, previous=previous,
                           following=following if following <= today() else None,
                           chart=steps_chart(days, title=_("Steps by day in %(month)s", month=first.strftime("%Y-%m"))))


@bp.route("/history")
@login_required
def history():
    require(can_walk)
    pagination = db.paginate(wallet_services.history_query(current_user.id), page=page_number(), per_page=20,
                             error_out=False)
    return render_template("walking/history.html", pagination=pagination, wallet=wallet_services.wallet(current_user))


@bp.route("/upload", methods=["GET", "POST"])
@login_required
def upload():
    require(can_walk)
    request.max_content_length = current_app.config["WALKING_UPLOAD_MAX_BYTES"]
    form = UploadForm()
    result = None
    if form.validate_on_submit():
        try:
            result = upload_phone_export(current_user, form.file.data.filename, form.file.data.stream)
        except ValidationFailed as error:
            db.session.rollback()
            for messages in error.errors.values():
                form.file.errors.extend(str(m) for m in messages)
        except DomainError as error:
            db.session.rollback()
            form.file.errors.append(str(error.message))
        else:
            db.session.commit()
    return render_template("walking/upload.html", form=form, result=result,
                           reasons=_reasons(result) if result else []), 422 if form.file.errors else 200


def _reasons(result) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for outcome in result.outcomes:
        if outcome.status in ("refused", "flagged", "paused"):
            counts[str(outcome.reason)] = counts.get(str(outcome.reason), 0) + 1
    return sorted(counts.items(), key=lambda pair: -pair[1])


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    require(can_walk)
    form = ActionForm()
    token = None
    if form.validate_on_submit():
        token = issue_api_token(current_user, scope=STEPS_SCOPE)
        db.session.commit()
    return render_template("walking/tokens.html", form=form, token=token,
                           tokens=scoped_tokens(current_user, STEPS_SCOPE))


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    require(can_walk)
    record = next((t for t in scoped_tokens(current_user, STEPS_SCOPE) if t.id == token_id), None) or abort(404)
    if ActionForm().validate_on_submit():
        revoke_token(record)
        db.session.commit()
        flash(_("The token no longer works."), "success")
    return redirect(url_for("walking.tokens"))


@bp.route("/coupons", methods=["GET", "POST"])
@login_required
def coupons():
    require(can_walk)
    form = ConvertForm()
    if not form.is_submitted():
        form.idempotency_key.data = secrets.token_hex(16)
    if form.validate_on_submit():
        holder = {}

        def convert():
            holder["conversion"], _created = conversion_services.convert_mileage(
                current_user, amount_won=form.amount.data, idempotency_key=form.idempotency_key.data)

        if run_service(convert, _("Converted.")):
            conversion = holder["conversion"]
            conversion_services.deliver(conversion)
            db.session.commit()
            return redirect(url_for("walking.coupon", conversion_id=conversion.id))
        form.idempotency_key.data = secrets.token_hex(16)
    pagination = db.paginate(conversion_services.conversions_of(current_user.id), page=page_number(), per_page=10,
                             error_out=False)
    participant = participation.participant_of(current_user)
    return render_template("walking/coupons.html", form=form, pagination=pagination,
                           wallet=wallet_services.wallet(current_user), provider=provider_name(),
                           account_form=PayAccountForm(), participant=participant,
                           cap=rule_on(today()).conversion_daily_cap_won)


@bp.route("/coupons/<int:conversion_id>")
@login_required
def coupon(conversion_id: int):
    conversion = db.session.get(Conversion, conversion_id) or abort(404)
    require(can_view_conversion, conversion)
    barcode = None
    if conversion.provider is Provider.COUPON and conversion.coupon_number:
        barcode = barcode_svg(conversion.coupon_number, label=_("Barcode of coupon %(number)s",
                                                                number=conversion.coupon_number))
    return render_template("walking/coupon.html", conversion=conversion, barcode=barcode)


@bp.route("/account", methods=["POST"])
@login_required
def link_account():
    require(can_walk)
    form = PayAccountForm()
    if form.validate_on_submit():
        run_service(lambda: conversion_services.link_pay_account(current_user, form.account.data),
                    _("Your local-currency account is linked."))
    else:
        for messages in form.errors.values():
            for message in messages:
                flash(str(message), "error")
    return redirect(url_for("walking.coupons"))


@bp.route("/missions")
@login_required
def missions():
    require(can_walk)
    pagination = db.paginate(mission_services.missions_query(), page=page_number(), per_page=10, error_out=False)
    done = mission_services.completed_ids(current_user.id)
    progress = {m.id: mission_services.steps_in_period(current_user.id, m)
                for m in pagination.items if m.kind is MissionKind.STEPS}
    return render_template("walking/missions.html", pagination=pagination, done=done, progress=progress,
                           form=ActionForm(), check_in_form=CheckInForm(), today=today(),
                           location_consent=has_consent(current_user, ConsentItem.LOCATION))


@bp.route("/missions/<int:mission_id>/claim", methods=["POST"])
@login_required
def claim_mission(mission_id: int):
    mission = db.session.get(Mission, mission_id) or abort(404)
    require(can_walk)
    if ActionForm().validate_on_submit():
        run_service(lambda: mission_services.claim(current_user, mission),
                    _("Mission complete: %(amount)s won added.", amount=f"{mission.bonus_won:,}"))
    return redirect(url_for("walking.missions"))


@bp.route("/missions/<int:mission_id>/check-in", methods=["POST"])
@login_required
def check_in(mission_id: int):
    mission = db.session.get(Mission, mission_id) or abort(404)
    require(can_walk)
    form = CheckInForm()
    if form.validate_on_submit():
        run_service(lambda: mission_services.check_in(current_user, mission, latitude=form.latitude.data,
                                                      longitude=form.longitude.data),
                    _("Mission complete: %(amount)s won added.", amount=f"{mission.bonus_won:,}"))
    else:
        flash(_("Allow your phone to share its position, or enter it, to check in."), "error")
    return redirect(url_for("walking.missions"))
