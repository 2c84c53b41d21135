"""Allowances, budgets and payouts in the API: the same services as the ledger pages.

Actions that move an allowance or money accept an ``Idempotency-Key`` header (``app.api.idempotency``)."""
from __future__ import annotations


from flask import abort, jsonify, request, send_file
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import CombinedMultiDict

from app.privacy.access import record_view
from app.privacy.models import DataKind
from app.api import bp
from app.api.auth import require_api, token_required
from app.api.helpers import json_body, page_arg, paginated, per_page_arg, validate
from app.api.idempotency import idempotent, ledger_key, respond
from app.api.spec import ERROR, documented, query_param
from app.core import ValidationFailed, iso
from app.extensions import db
from app.ledger import receipts
from app.ledger.forms import BankAccountForm, ExpenseClaimForm, ReasonForm
from app.ledger.models import (
    Allowance,
    AllowanceStatus,
    ExpenseCategory,
    PayoutBatch,
    ProgrammeType,
)
from app.ledger.permissions import (
    can_claim_expenses,
    can_confirm_allowance,
    can_decide_allowance,
    can_decide_allowances,
    can_register_bank_account,
    can_reverse_payment,
    can_use_confirmation_queue,
    can_view_allowance,
    can_view_statement,
)
from app.ledger.programmes import programme_titles
from app.ledger.services import allowances as services
from app.ledger.services import payouts

STATUSES = [s.value for s in AllowanceStatus]
ALLOWANCE = {"type": "object", "properties": {
    "id": {"type": "integer"}, "status": {"type": "string", "enum": STATUSES},
    "kind": {"type": "string", "enum": ["session", "expense"]}, "amount": {"type": "integer"},
    "programme": {"type": "object"}, "session": {"type": "object", "nullable": True},
    "member": {"type": "object"}, "expense_category": {"type": "string", "nullable": True},
    "description": {"type": "string"}, "occurred_on": {"type": "string", "format": "date"},
    "receipt_url": {"type": "string", "nullable": True}, "rejection_reason": {"type": "string", "nullable": True},
    "reversal_reason": {"type": "string", "nullable": True}, "batch_id": {"type": "integer", "nullable": True},
}}
BUDGET = {"type": "object", "properties": {
    "id": {"type": "integer"}, "programme_type": {"type": "string", "enum": [p.value for p in ProgrammeType]},
    "programme_id": {"type": "integer"}, "programme_title": {"type": "string"}, "fiscal_year": {"type": "integer"},
    "allocated": {"type": "integer"}, "committed": {"type": "integer"}, "paid": {"type": "integer"},
    "remaining": {"type": "integer"},
}}
BATCH = {"type": "object", "properties": {
    "id": {"type": "integer"}, "status": {"type": "string", "enum": ["open", "paid"]}, "total": {"type": "integer"},
    "allowance_ids": {"type": "array", "items": {"type": "integer"}},
    "transfers": {"type": "array", "items": {"type": "object"}},
    "exported_at": {"type": "string", "nullable": True}, "paid_at": {"type": "string", "nullable": True},
}}
REASON_BODY = {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string", "maxLength": 500}}}


def page_of(schema: dict) -> dict:
    return {"type": "object", "properties": {"items": {"type": "array", "items": schema}, "total": {"type": "integer"},
                                             "page": {"type": "integer"}, "per_page": {"type": "integer"}}}


def allowances_json(items) -> list[dict]:
    titles = programme_titles((a.programme_type, a.programme_id) for a in items)
    return [{
        "id": a.id, "status": a.status.value, "kind": a.kind.value, "amount": a.amount_won,
        "programme": {"type": a.programme_type.value, "id": a.programme_id,
                      "title": titles[(a.programme_type, a.programme_id)]},
        "session": {"id": a.session.id, "title": a.session.title} if a.session else None,
        "member": {"id": a.user_id, "name": a.user.display_name},
        "expense_category": a.expense_category.value if a.expense_category else None,
        "description": a.description, "occurred_on": a.occurred_on.isoformat(),
        "receipt_url": f"/api/v1/allowances/{a.id}/receipt" if a.receipt_file else None,
        "rejection_reason": a.rejection_reason, "reversal_reason": a.reversal_reason, "batch_id": a.batch_id,
    } for a in items]


def allowance_json(allowance: Allowance) -> dict:
    return allowances_json([allowance])[0]


def allowance_page(query) -> dict:
    pagination = db.paginate(query.options(selectinload(Allowance.user), selectinload(Allowance.session)),
                             page=page_arg(), per_page=per_page_arg(), error_out=False)
    body = paginated(pagination, lambda a: a)
    body["items"] = allowances_json(body["items"])
    return body


def budgets_json(items) -> list[dict]:
    titles = programme_titles((b.programme_type, b.programme_id) for b in items)
    return [{
        "id": b.id, "programme_type": b.programme_type.value, "programme_id": b.programme_id,
        "programme_title": titles[(b.programme_type, b.programme_id)], "fiscal_year": b.fiscal_year,
        "allocated": b.allocated_won, "committed": b.committed_won, "paid": b.paid_won, "remaining": b.remaining_won,
    } for b in items]


def batch_json(batch: PayoutBatch) -> dict:
    return {
        "id": batch.id, "status": batch.status.value, "total": payouts.batch_total(batch),
        "allowance_ids": [a.id for a in batch.allowances],
        "transfers": [{"member_id": row["user_id"], "name": row["name"], "bank": row["bank"],
                       "account_number": row["account"].masked_number, "amount": row["amount_won"]}
                      for row in payouts.batch_rows(batch)],
        "exported_at": iso(batch.exported_at), "paid_at": iso(batch.paid_at),
    }


def blocked_json(blocked) -> list[dict]:
    return [{"allowance_id": a.id, "member_id": a.user_id, "amount": a.amount_won, "reason": str(reason)}
            for a, reason in blocked]


ACTION_ERRORS = {409: ("Refused, with the reason", ERROR), 403: ("Not allowed", ERROR), 404: ("Not found", ERROR)}


# --- residents -----------------------------------------------------------------------------------

@bp.route("/me/allowances", methods=["GET"])
@token_required
@documented("The current user's allowance statement: totals by status and the allowances", tag="allowances",
            query=[query_param("status", enum=STATUSES), query_param("page", "integer"),
                   query_param("per_page", "integer", "at most 100")],
            responses={200: ("Totals and a page of allowances", {"type": "object", "properties": {
                "totals": {"type": "object"}, "items": {"type": "array", "items": ALLOWANCE},
                "total": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer"}}})})
def my_allowances():
    user = require_api(can_view_statement)
    status = request.args.get("status")
    if status is not None and status not in STATUSES:
        raise ValidationFailed({"status": [_l("Unknown status.")]})
    body = allowance_page(services.statement_query(user.id, AllowanceStatus(status) if status else None))
    body["totals"] = {s.value: total for s, total in services.statement_totals(user.id).items()}
    return jsonify(body)


@bp.route("/me/allowances/claims", methods=["POST"])
@token_required
@documented("Claim an actual expense. multipart/form-data: lab_id, category (transport|materials), amount, "
            "spent_on (YYYY-MM-DD), description, receipt (PNG/JPEG/WebP/PDF, at most 5 MB)", tag="allowances",
            responses={201: ("The pending claim", ALLOWANCE), 422: ("Invalid input or receipt", ERROR),
                       403: ("City employees are paid no allowance", ERROR)})
def claim_expense():
    user = require_api(can_claim_expenses)
    form = ExpenseClaimForm(formdata=CombinedMultiDict([request.files, request.form]), meta={"csrf": False})
    sent = set(request.form) | set(request.files)
    errors = {name: [_l("Unknown field.")] for name in sorted(sent - set(form._fields))}
    if not form.validate():
        errors.update(form.errors)
    if errors:
        raise ValidationFailed(errors)
    allowance = services.claim_expense(
        user, lab_id=form.lab_id.data, category=ExpenseCategory(form.category.data), amount_won=form.amount.data,
        spent_on=form.spent_on.data, description=form.description.data, receipt_upload=request.files.get("receipt"))
    return respond(allowance_json(allowance), 201)


BANK_ACCOUNT = {"type": "object", "properties": {"bank": {"type": "string"}, "account_number": {"type": "string"},
                                                 "holder_name": {"type": "string"}}}


def bank_account_json(account) -> dict:
    return {"bank": account.bank, "account_number": account.masked_number, "holder_name": account.holder_name}


@bp.route("/me/bank-account", methods=["GET"])
@token_required
@documented("The current user's bank account, number masked", tag="allowances",
            responses={200: ("The account", BANK_ACCOUNT), 404: ("None registered", ERROR)})
def my_bank_account():
    account = payouts.bank_account_of(require_api(can_view_statement).id)
    if account is None:
        abort(404)
    return jsonify(bank_account_json(account))


@bp.route("/me/bank-account", methods=["PUT"])
@token_required
@documented("Register or replace the current user's bank account (stored encrypted)", tag="allowances",
            body={"type": "object", "required": ["bank", "account_number", "holder_name"], "properties": {
                "bank": {"type": "string"}, "account_number": {"type": "string", "pattern": "^[0-9-]+$"},
                "holder_name": {"type": "string"}}},
            responses={200: ("Saved; the number comes back masked", BANK_ACCOUNT)})
def put_my_bank_account():
    user = require_api(can_register_bank_account)
    form = validate(BankAccountForm, json_body())
    account = payouts.save_bank_account(user, bank=form.bank.data, account_number=form.account_number.data,
                                        holder_name=form.holder_name.data)
    return respond(bank_account_json(account))


# --- facilitators and staff ------------------------------------------------------------------------

@bp.route("/allowances", methods=["GET"])
@token_required
@documented("Work queues: allowances to confirm (facilitators; staff for non-lab programmes) or to approve (staff)",
            tag="allowances",
            responses={200: ("A page of allowances", page_of(ALLOWANCE)), 403: ("Not allowed", ERROR)},
            query=[query_param("queue", enum=["confirm", "approve"]), query_param("page", "integer"),
                   query_param("per_page", "integer", "at most 100")])
def allowance_queue():
    queue = request.args.get("queue", "confirm")
    if queue == "approve":
        user = require_api(can_decide_allowances)
        return jsonify(allowance_page(services.approval_queue_query(user)))
    if queue != "confirm":
        raise ValidationFailed({"queue": [_l("Choose confirm or approve.")]})
    user = require_api(can_use_confirmation_queue)
    return jsonify(allowance_page(services.confirmation_queue_query(user)))


@bp.route("/allowances/<int:allowance_id>", methods=["GET"])
@token_required
@documented("One allowance (the member, the programme's facilitators, staff)", tag="allowances",
            responses={200: ("The allowance", ALLOWANCE), 403: ("Not allowed", ERROR), 404: ("Not found", ERROR)})
def get_allowance(allowance_id: int):
    allowance = db.get_or_404(Allowance, allowance_id)
    require_api(can_view_allowance, allowance)
    return jsonify(allowance_json(allowance))


@bp.route("/allowances/<int:allowance_id>/receipt", methods=["GET"])
@token_required
@documented("The receipt file of an expense claim", tag="allowances",
            responses={200: ("The image or PDF", None), 403: ("Not allowed", ERROR), 404: ("No receipt", ERROR)})
def get_receipt(allowance_id: int):
    allowance = db.get_or_404(Allowance, allowance_id)
    viewer = require_api(can_view_allowance, allowance)
    if not allowance.receipt_file:
        abort(404)
    record_view(viewer, [allowance.user_id], DataKind.RECEIPT, target_type="allowance", target_id=allowance.id)
    return send_file(receipts.receipt_path(allowance.receipt_file), mimetype=allowance.receipt_type,
                     as_attachment=True, download_name=f"receipt-{allowance.id}"
                     f"{receipts.ALLOWED_TYPES[allowance.receipt_type]}", max_age=0)


@bp.route("/allowances/<int:allowance_id>/confirm", methods=["POST"])
@token_required
@idempotent
@documented("Confirm a pending allowance (a facilitator of the programme). Accepts Idempotency-Key.",
            tag="allowances", responses={200: ("Confirmed", ALLOWANCE), **ACTION_ERRORS})
def confirm_allowance(allowance_id: int):
    allowance = db.get_or_404(Allowance, allowance_id)
    user = require_api(can_confirm_allowance, allowance)
    services.confirm_allowance(allowance, user)
    return respond(allowance_json(allowance))


@bp.route("/allowances/<int:allowance_id>/approve", methods=["POST"])
@token_required
@idempotent
@documented("Approve a confirmed allowance within budget and monthly cap (staff); 409 with the reason when "
            "refused. Accepts Idempotency-Key.", tag="allowances",
            responses={200: ("Approved", ALLOWANCE), **ACTION_ERRORS})
def approve_allowance(allowance_id: int):
    allowance = db.get_or_404(Allowance, allowance_id)
    user = require_api(can_decide_allowance, allowance)
    services.approve_allowance(allowance, user, idempotency_key=ledger_key())
    return respond(allowance_json(allowance))


@bp.route("/allowances/<int:allowance_id>/reject", methods=["POST"])
@token_required
@idempotent
@documented("Reject an allowance with a reason the resident sees (staff). Accepts Idempotency-Key.",
            tag="allowances", body=REASON_BODY, responses={200: ("Rejected", ALLOWANCE), **ACTION_ERRORS})
def reject_allowance(allowance_id: int):
    allowance = db.get_or_404(Allowance, allowance_id)
    user = require_api(can_decide_allowance, allowance)
    form = validate(ReasonForm, json_body())
    services.reject_allowance(allowance, user, form.reason.data)
    return respond(allowance_json(allowance))


@bp.route("/allowances/<int:allowance_id>/reverse", methods=["POST"])
@token_required
@idempotent
@documented("Reverse a paid allowance with a correcting ledger entry (staff). Accepts Idempotency-Key.",
            tag="allowances", body=REASON_BODY, responses={200: ("Reversed", ALLOWANCE), **ACTION_ERRORS})
def reverse_allowance(allowance_id: int):
    allowance = db.get_or_404(Allowance, allowance_id)
    user = require_api(can_reverse_payment, allowance)
    form = validate(ReasonForm, json_body())
    services.reverse_payment(allowance, form.reason.data, user, idempotency_key=ledger_key())
    return respond(allowance_json(allowance))

