"""Budget pages (staff read, admins create) and payout batches (staff)."""
from flask import Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.privacy.access import record_view
from app.privacy.models import DataKind
from app.auth.permissions import require
from app.core import page_number
from app.extensions import db
from app.ledger import bp, queries
from app.ledger.forms import ActionForm, AllowanceRuleForm, BudgetForm
from app.ledger.models import Allowance, Budget, LedgerEntry, PayoutBatch, ProgrammeType
from app.ledger.permissions import (
    can_manage_budgets,
    can_manage_payouts,
    can_view_budgets,
    can_view_programme_budget,
)
from app.ledger.programmes import programme_title, programme_titles
from app.web import run_service
from app.ledger.services import funds, payouts


@bp.route("/budgets")
@login_required
def budgets():
    require(can_view_budgets)
    pagination = db.paginate(queries.budgets_query(), page=page_number(), per_page=30, error_out=False)
    titles = programme_titles((b.programme_type, b.programme_id) for b in pagination.items)
    return render_template("ledger/budgets.html", pagination=pagination, titles=titles)


@bp.route("/budgets/new", methods=["GET", "POST"])
@login_required
def new_budget():
    require(can_manage_budgets)
    form = BudgetForm(programme_type=request.args.get("programme_type"), programme_id=request.args.get(
        "programme_id", type=int))
    if form.validate_on_submit():
        if run_service(lambda: funds.create_budget(
                programme_type=ProgrammeType(form.programme_type.data), programme_id=form.programme_id.data,
                fiscal_year=form.fiscal_year.data, allocated_won=form.amount.data, actor=current_user),
                _("The budget was created."), form=form):
            return redirect(url_for("ledger.programme_budget", programme_type=form.programme_type.data,
                                    programme_id=form.programme_id.data))
    return render_template("ledger/budget_form.html", form=form, heading=_("New budget"))


@bp.route("/budgets/rules", methods=["GET", "POST"])
@login_required
def set_rule():
    require(can_manage_budgets)
    form = AllowanceRuleForm(programme_type=request.args.get("programme_type"),
                             programme_id=request.args.get("programme_id", type=int))
    if form.validate_on_submit():
        if run_service(lambda: funds.set_allowance_rule(
                programme_type=ProgrammeType(form.programme_type.data), programme_id=form.programme_id.data,
                amount_per_session_won=form.amount_per_session.data, monthly_cap_won=form.monthly_cap.data,
                actor=current_user), _("The allowance rule was saved."), form=form):
            return redirect(url_for("ledger.programme_budget", programme_type=form.programme_type.data,
                                    programme_id=form.programme_id.data))
    return render_template("ledger/budget_form.html", form=form, heading=_("Allowance rule"))


@bp.route("/budgets/<programme_type>/<int:programme_id>")
@login_required
def programme_budget(programme_type: str, programme_id: int):
    try:
        ptype = ProgrammeType(programme_type)
    except ValueError:
        abort(404)
    require(can_view_programme_budget, ptype, programme_id)
    years = list(db.session.scalars(select(Budget).filter_by(programme_type=ptype, programme_id=programme_id)
                                    .order_by(Budget.fiscal_year.desc())))
    entries = db.paginate(
        select(LedgerEntry).options(selectinload(LedgerEntry.actor))
        .where(LedgerEntry.budget_id.in_([b.id for b in years])).order_by(LedgerEntry.id.desc()),
        page=page_number(), per_page=30, error_out=False,
    )
    return render_template(
        "ledger/programme_budget.html", programme_type=ptype, programme_id=programme_id, budgets=years,
        title=programme_title(ptype, programme_id), rule=funds.rule_for(ptype, programme_id), entries=entries,
        can_manage=can_manage_budgets(current_user),
    )


@bp.route("/payouts")
@login_required
def payout_batches():
    require(can_manage_payouts)
    payable, blocked = payouts.awaiting_payout()
    pagination = db.paginate(queries.batches_query(), page=page_number(), per_page=20, error_out=False)
    return render_template("ledger/payouts.html", pagination=pagination, payable=payable, blocked=blocked,
                           action_form=ActionForm())


@bp.route("/payouts", methods=["POST"])
@login_required
def create_batch():
    require(can_manage_payouts)
    if not ActionForm().validate_on_submit():
        abort(400)
    outcome = run_service(lambda: payouts.create_batch(current_user),
                          _("The payout batch was created. Export it for the bank transfer."))
    if not outcome:
        return redirect(url_for("ledger.payout_batches"))
    batch, _blocked = outcome.value
    return redirect(url_for("ledger.batch_detail", batch_id=batch.id))


def _load_batch(batch_id: int) -> PayoutBatch:
    return db.session.get(PayoutBatch, batch_id, options=[
        selectinload(PayoutBatch.allowances).selectinload(Allowance.user)]) or abort(404)


@bp.route("/payouts/<int:batch_id>")
@login_required
def batch_detail(batch_id: int):
    require(can_manage_payouts)
    batch = _load_batch(batch_id)
    _payable, blocked = payouts.awaiting_payout()
    rows = payouts.batch_rows(batch)
    html = render_template("ledger/batch.html", batch=batch, rows=rows, blocked=blocked,
                           total=payouts.batch_total(batch), action_form=ActionForm())
    record_view(current_user, [row["user_id"] for row in rows], DataKind.BANK_ACCOUNT, target_type="payout_batch",
                target_id=batch.id)
    return html


@bp.route("/payouts/<int:batch_id>/export", methods=["POST"])
@login_required
def export_batch(batch_id: int):
    require(can_manage_payouts)
    batch = _load_batch(batch_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    content = payouts.export_batch_csv(batch, current_user)
    db.session.commit()
    return Response(content, mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="payout-batch-{batch.id}.csv"', "Cache-Control": "no-store"})


@bp.route("/payouts/<int:batch_id>/paid", methods=["POST"])
@login_required
def pay_batch(batch_id: int):
    require(can_manage_payouts)
    batch = _load_batch(batch_id)
    if ActionForm().validate_on_submit():
        run_service(lambda: payouts.mark_batch_paid(batch, current_user), _("The batch was marked paid."))
    return redirect(url_for("ledger.batch_detail", batch_id=batch.id))
