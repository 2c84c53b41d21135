"""Pages for staff (overview and burn-down, participants, flagged counts, imports, missions, rules,
redemptions, CSV export) and for bank clerks (the redeem page)."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from app.auth.permissions import require
from app.core import DomainError, ValidationFailed, page_number
from app.extensions import db
from app.walking import bp
from app.walking.charts import burn_down_chart
from app.walking.forms import ImportForm, MissionForm, RedeemForm, ReviewForm, RuleForm, TopUpForm
from app.walking.models import Conversion, MissionKind, ReviewStatus, StepRecord, WalkingParticipant
from app.walking.permissions import can_manage_walking, can_redeem_coupons, can_set_walking_rule
from app.walking.services import budget as budget_services
from app.walking.services import conversions as conversion_services
from app.walking.services import missions as mission_services
from app.walking.services import rules as rule_services
from app.walking.services import stats, today
from app.walking.services.export import csv_lines
from app.walking.services.imports import import_staff_csv
from app.walking.services.reviews import review_record
from app.web import run_service


@bp.route("/staff", methods=["GET", "POST"])
@login_required
def staff():
    require(can_manage_walking)
    form = TopUpForm()
    if not form.is_submitted():
        form.fiscal_year.data = today().year
    if form.validate_on_submit():
        if run_service(lambda: budget_services.top_up(fiscal_year=form.fiscal_year.data, amount_won=form.amount.data,
                                                      actor=current_user),
                       _("The money was added; days that waited for it are credited.")):
            return redirect(url_for("walking.staff"))
    data = stats.overview()
    budget = data["budget"]
    chart = None
    if budget is not None:
        chart = burn_down_chart(budget["points"], budget["allocated_won"], budget["runs_out_on"],
                                title=_("Walking budget remaining in %(year)s", year=budget["year"]),
                                year_end=budget["year_end"])
    return render_template("walking/staff.html", data=data, budget=budget, chart=chart, form=form)


def _staff_list(template: str, query, **context):
    """A staff list page: 20 rows a page of ``query`` (a select, built before the permission check but not run)."""
    require(can_manage_walking)
    pagination = db.paginate(query, page=page_number(), per_page=20, error_out=False)
    return render_template(template, pagination=pagination, **context)


def _saved(form, action, message, *, fallback) -> bool:
    """Run ``action`` for ``form``: committed and ``message`` flashed, True; a refused rule is rolled back and
    put beside its field (or ``fallback``, a field of the form), False."""
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        (form[error.field] if error.field in form else fallback).errors.append(str(error.message))
        return False
    db.session.commit()
    flash(message, "success")
    return True


@bp.route("/staff/participants")
@login_required
def participants():
    return _staff_list("walking/participants.html",
                       stats.participants_query().options(selectinload(WalkingParticipant.user)))


@bp.route("/staff/flagged")
@login_required
def flagged():
    return _staff_list("walking/flagged.html", stats.flagged_query().options(selectinload(StepRecord.user)),
                       form=ReviewForm())


@bp.route("/staff/flagged/<int:record_id>", methods=["POST"])
@login_required
def review(record_id: int):
    record = db.session.get(StepRecord, record_id) or abort(404)
    require(can_manage_walking)
    form = ReviewForm()
    if form.validate_on_submit():
        run_service(lambda: review_record(record, ReviewStatus(form.decision.data), actor=current_user),
                    _("The count was reviewed."))
    return redirect(url_for("walking.flagged"))


@bp.route("/staff/import", methods=["GET", "POST"])
@login_required
def staff_import():
    require(can_manage_walking)
    form = ImportForm()
    result = None
    if form.validate_on_submit():
        try:
            result = import_staff_csv(form.file.data.read(), actor=current_user)
        except ValidationFailed as error:
            db.session.rollback()
            for messages in error.errors.values():
                form.file.errors.extend(str(m) for m in messages)
        else:
            db.session.commit()
            flash(_("%(count)s rows imported.", count=len(result.outcomes)), "success")
    return render_template("walking/import.html", form=form, result=result,
                           summary=result.summary() if result else None), 422 if form.file.errors else 200


@bp.route("/staff/missions/new", methods=["GET", "POST"])
@login_required
def new_mission():
    require(can_manage_walking)
    form = MissionForm()
    if form.validate_on_submit() and _saved(form, lambda: mission_services.create_mission(
            actor=current_user, kind=MissionKind(form.kind.data), **{
                name: form[name].data for name in ("title", "description", "starts_on", "ends_on", "bonus_won",
                                                   "target_steps", "latitude", "longitude", "radius_m",
                                                   "session_id")}),
            _("The mission was created."), fallback=form.title):
        return redirect(url_for("walking.missions"))
    return render_template("walking/mission_form.html", form=form), 422 if form.errors else 200


@bp.route("/staff/rules", methods=["GET", "POST"])
@login_required
def rules():
    require(can_manage_walking)
    form = RuleForm()
    if form.validate_on_submit():
        require(can_set_walking_rule)
        if _saved(form, lambda: rule_services.set_rule(actor=current_user, **{name: form[name].data for name in (
                "effective_from", "min_steps", "base_won", "step_unit", "unit_won", "daily_max_won",
                "conversion_daily_cap_won")}), _("The new rule version was saved."), fallback=form.effective_from):
            return redirect(url_for("walking.rules"))
    rule_services.rule_on(today())
    db.session.commit()
    return render_template("walking/rules.html", form=form, rules=rule_services.all_rules(),
                           can_set=can_set_walking_rule(current_user)), 422 if form.errors else 200


@bp.route("/staff/redemptions")
@login_required
def redemptions():
    return _staff_list("walking/redemptions.html",
                       stats.redemptions_query().options(selectinload(Conversion.redeemed_by)))


@bp.route("/staff/export.csv")
@login_required
def export():
    require(can_manage_walking)
    return Response(stream_with_context(csv_lines()), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="walking-days.csv"'})


@bp.route("/redeem", methods=["GET", "POST"])
@login_required
def redeem():
    require(can_redeem_coupons)
    form = RedeemForm()
    redeemed = None
    if form.validate_on_submit():
        coupon = conversion_services.find_coupon(form.number.data)
        if coupon is None:
            form.number.errors.append(_("There is no coupon with this number. Check the digits."))
        else:
            try:
                conversion_services.redeem_coupon(coupon, clerk=current_user, place=form.place.data)
            except DomainError as error:
                db.session.commit()  # an expired coupon's amount went back to the resident: keep that
                form.number.errors.append(str(error.message))
            else:
                db.session.commit()
                redeemed = coupon
                place = form.place.data
                form = RedeemForm(formdata=None, place=place)
    return render_template("walking/redeem.html", form=form, redeemed=redeemed), 409 if form.number.errors else 200
