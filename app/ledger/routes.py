"""Pages for residents (statement, claims, bank account), facilitators (confirmation queue) and staff
(approval queue, allowance decisions). Budgets and payouts are in ``routes_money.py``."""
from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from app.privacy.access import record_view
from app.privacy.models import DataKind
from app.auth.permissions import require
from app.core import page_number
from app.extensions import db
from app.web import run_service
from app.ledger import bp, receipts
from app.ledger.forms import ActionForm, BankAccountForm, ExpenseClaimForm, ReasonForm
from app.ledger.models import Allowance, AllowanceStatus, ExpenseCategory
from app.ledger.permissions import (
    can_claim_expenses,
    can_confirm_allowance,
    can_decide_allowance,
    can_decide_allowances,
    can_register_bank_account,
    can_reverse_payment,
    can_use_confirmation_queue,
    can_view_allowance,
)
from app.ledger.programmes import labs_of_member, programme_title, programme_titles
from app.ledger.services import allowances as services
from app.ledger.services.payouts import bank_account_of, save_bank_account

LIST_OPTIONS = (selectinload(Allowance.user), selectinload(Allowance.session))


def load_allowance(allowance_id: int) -> Allowance:
    return db.session.get(Allowance, allowance_id) or abort(404)


def allowance_page(query, per_page: int = 20):
    """Paginate allowances with their members, sessions and programme names loaded in a fixed few queries."""
    pagination = db.paginate(query.options(*LIST_OPTIONS), page=page_number(), per_page=per_page, error_out=False)
    titles = programme_titles((a.programme_type, a.programme_id) for a in pagination.items)
    return pagination, titles


def back_to(allowance_id: int, queue_endpoint: str):
    """Actions are offered on the queue pages and on the allowance's page; return where the user was."""
    if request.form.get("back") == "detail":
        return redirect(url_for("ledger.allowance_detail", allowance_id=allowance_id))
    return redirect(url_for(queue_endpoint))


@bp.route("/me/allowances")
@login_required
def statement():
    code = request.args.get("status")
    status = AllowanceStatus(code) if code in {s.value for s in AllowanceStatus} else None
    pagination, titles = allowance_page(services.statement_query(current_user.id, status))
    return render_template(
        "ledger/statement.html", pagination=pagination, titles=titles, status=status,
        totals=services.statement_totals(current_user.id), account=bank_account_of(current_user.id),
        statuses=list(AllowanceStatus),
    )


@bp.route("/me/allowances/claim", methods=["GET", "POST"])
@login_required
def claim():
    require(can_claim_expenses)
    labs = labs_of_member(current_user)
    form = ExpenseClaimForm()
    form.lab_id.choices = [(lab.id, lab.title) for lab in labs]
    if form.validate_on_submit():
        if run_service(lambda: services.claim_expense(
                current_user, lab_id=form.lab_id.data, category=ExpenseCategory(form.category.data),
                amount_won=form.amount.data, spent_on=form.spent_on.data, description=form.description.data,
                receipt_upload=form.receipt.data,
        ), _("Your claim was sent. A facilitator of the lab will confirm it."), form=form):
            return redirect(url_for("ledger.statement"))
    return render_template("ledger/claim.html", form=form, labs=labs)


@bp.route("/me/bank-account", methods=["GET", "POST"])
@login_required
def bank_account():
    require(can_register_bank_account)
    account = bank_account_of(current_user.id)
    form = BankAccountForm(bank=account.bank if account else None, holder_name=(
        account.holder_name if account else current_user.display_name))
    if form.validate_on_submit():
        if run_service(lambda: save_bank_account(current_user, bank=form.bank.data,
                                                 account_number=form.account_number.data,
                                                 holder_name=form.holder_name.data),
                       _("Your bank account was saved."), form=form):
            return redirect(url_for("ledger.statement"))
    return render_template("ledger/bank_account.html", form=form, account=account)


@bp.route("/allowances/<int:allowance_id>")
@login_required
def allowance_detail(allowance_id: int):
    allowance = load_allowance(allowance_id)
    require(can_view_allowance, allowance)
    open_states = (AllowanceStatus.PENDING, AllowanceStatus.CONFIRMED, AllowanceStatus.APPROVED)
    can = {
        "confirm": allowance.status is AllowanceStatus.PENDING and can_confirm_allowance(current_user, allowance),
        "approve": allowance.status is AllowanceStatus.CONFIRMED and can_decide_allowance(current_user, allowance),
        "reject": allowance.status in open_states and allowance.batch_id is None
        and can_decide_allowance(current_user, allowance),
        "reverse": allowance.status is AllowanceStatus.PAID and can_reverse_payment(current_user, allowance),
    }
    return render_template(
        "ledger/allowance.html", allowance=allowance, can=can, action_form=ActionForm(), reason_form=ReasonForm(),
        title=programme_title(allowance.programme_type, allowance.programme_id),
    )


@bp.route("/allowances/<int:allowance_id>/receipt")
@login_required
def receipt(allowance_id: int):
    allowance = load_allowance(allowance_id)
    require(can_view_allowance, allowance)
    if not allowance.receipt_file:
        abort(404)
    record_view(current_user, [allowance.user_id], DataKind.RECEIPT, target_type="allowance", target_id=allowance.id)
    extension = receipts.ALLOWED_TYPES[allowance.receipt_type]
    # Images open in the browser; a PDF is downloaded so that no PDF viewer runs it on our origin.
    return send_file(receipts.receipt_path(allowance.receipt_file), mimetype=allowance.receipt_type,
                     as_attachment=extension == ".pdf", download_name=f"receipt-{allowance.id}{extension}", max_age=0)


@bp.route("/allowances/confirmations")
@login_required
def confirmations():
    require(can_use_confirmation_queue)
    pagination, titles = allowance_page(services.confirmation_queue_query(current_user))
    return render_template("ledger/queue.html", pagination=pagination, titles=titles, action_form=ActionForm(),
                           queue="confirm")


@bp.route("/allowances/approvals")
@login_required
def approvals():
    require(can_decide_allowances)
    pagination, titles = allowance_page(services.approval_queue_query(current_user))
    return render_template("ledger/queue.html", pagination=pagination, titles=titles, action_form=ActionForm(),
                           queue="approve")


@bp.route("/allowances/<int:allowance_id>/confirm", methods=["POST"])
@login_required
def confirm(allowance_id: int):
    allowance = load_allowance(allowance_id)
    require(can_confirm_allowance, allowance)
    if ActionForm().validate_on_submit():
        run_service(lambda: services.confirm_allowance(allowance, current_user), _("The allowance was confirmed."))
    return back_to(allowance_id, "ledger.confirmations")


@bp.route("/allowances/<int:allowance_id>/approve", methods=["POST"])
@login_required
def approve(allowance_id: int):
    allowance = load_allowance(allowance_id)
    require(can_decide_allowance, allowance)
    if ActionForm().validate_on_submit():
        run_service(lambda: services.approve_allowance(allowance, current_user), _("The allowance was approved."))
    return back_to(allowance_id, "ledger.approvals")


@bp.route("/allowances/<int:allowance_id>/reject", methods=["POST"])
@login_required
def reject(allowance_id: int):
    allowance = load_allowance(allowance_id)
    require(can_decide_allowance, allowance)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Give a reason the resident can read."), "error")
    else:
        run_service(lambda: services.reject_allowance(allowance, current_user, form.reason.data),
            _("The allowance was rejected. The resident will see your reason."))
    return redirect(url_for("ledger.allowance_detail", allowance_id=allowance_id))


@bp.route("/allowances/<int:allowance_id>/reverse", methods=["POST"])
@login_required
def reverse(allowance_id: int):
    allowance = load_allowance(allowance_id)
    require(can_reverse_payment, allowance)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Give a reason the resident can read."), "error")
    else:
        run_service(lambda: services.reverse_payment(allowance, form.reason.data, current_user),
            _("The payment was reversed with a correcting ledger entry."))
    return redirect(url_for("ledger.allowance_detail", allowance_id=allowance_id))


from app.ledger import routes_money  # noqa: E402,F401
