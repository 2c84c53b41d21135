"""Budgets, allowance rules and payout batches in the API (continues ``routes_ledger``)."""
from __future__ import annotations

from flask import Response, abort, jsonify, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.privacy.access import record_view
from app.privacy.models import DataKind
from app.api import bp
from app.api.auth import api_user, require_api, token_required
from app.api.helpers import json_body, page_arg, paginated, per_page_arg, validate
from app.api.idempotency import idempotent, respond
from app.api.routes_ledger import (
    ACTION_ERRORS,
    BATCH,
    BUDGET,
    batch_json,
    blocked_json,
    budgets_json,
    page_of,
)
from app.api.spec import ERROR, documented, query_param
from app.core import ValidationFailed, iso
from app.extensions import db
from app.ledger import queries
from app.ledger.forms import AllowanceRuleForm, BudgetForm
from app.ledger.models import Allowance, Budget, LedgerEntry, PayoutBatch, ProgrammeType
from app.ledger.permissions import can_manage_budgets, can_manage_payouts, can_view_budgets, can_view_programme_budget
from app.ledger.services import funds, payouts

PROGRAMME_TYPES = [p.value for p in ProgrammeType]


@bp.route("/budgets", methods=["GET"])
@token_required
@documented("Budgets with allocated, committed, paid and remaining won (staff)", tag="budgets",
            query=[query_param("fiscal_year", "integer"), query_param("programme_type", enum=PROGRAMME_TYPES),
                   query_param("page", "integer"), query_param("per_page", "integer", "at most 100")],
            responses={200: ("A page of budgets", page_of(BUDGET)), 403: ("Not allowed", ERROR)})
def list_budgets():
    require_api(can_view_budgets)
    programme_type = request.args.get("programme_type")
    if programme_type is not None and programme_type not in PROGRAMME_TYPES:
        raise ValidationFailed({"programme_type": [_l("Unknown programme type.")]})
    query = queries.budgets_query(fiscal_year=request.args.get("fiscal_year", type=int),
                                  programme_type=ProgrammeType(programme_type) if programme_type else None)
    body = paginated(db.paginate(query, page=page_arg(), per_page=per_page_arg(), error_out=False), lambda b: b)
    body["items"] = budgets_json(body["items"])
    return jsonify(body)


@bp.route("/budgets", methods=["POST"])
@token_required
@documented("Create a budget for a programme and fiscal year (admin)", tag="budgets",
            body={"type": "object", "required": ["programme_type", "programme_id", "fiscal_year", "amount"],
                  "properties": {"programme_type": {"type": "string", "enum": PROGRAMME_TYPES},
                                 "programme_id": {"type": "integer", "minimum": 1},
                                 "fiscal_year": {"type": "integer"}, "amount": {"type": "integer", "minimum": 0}}},
            responses={201: ("Created", BUDGET), 403: ("Not allowed", ERROR),
                       409: ("The programme has a budget for that year", ERROR)})
def create_budget():
    user = require_api(can_manage_budgets)
    form = validate(BudgetForm, json_body())
    budget = funds.create_budget(programme_type=ProgrammeType(form.programme_type.data),
                                 programme_id=form.programme_id.data, fiscal_year=form.fiscal_year.data,
                                 allocated_won=form.amount.data, actor=user)
    return respond(budgets_json([budget])[0], 201)


ENTRY = {"type": "object", "properties": {
    "id": {"type": "integer"}, "type": {"type": "string", "enum": ["commit", "release", "payout", "reversal"]},
    "amount": {"type": "integer"}, "allowance_id": {"type": "integer", "nullable": True},
    "batch_id": {"type": "integer", "nullable": True}, "actor_id": {"type": "integer", "nullable": True},
    "reason": {"type": "string"}, "created_at": {"type": "string"}}}


@bp.route("/budgets/<int:budget_id>/entries", methods=["GET"])
@token_required
@documented("A budget's append-only ledger, newest first (staff, the lab's facilitators)", tag="budgets",
            query=[query_param("page", "integer"), query_param("per_page", "integer", "at most 100")],
            responses={200: ("A page of ledger entries", page_of(ENTRY)), 403: ("Not allowed", ERROR),
                       404: ("Not found", ERROR)})
def budget_entries(budget_id: int):
    budget = db.session.get(Budget, budget_id) or abort(404)
    require_api(can_view_programme_budget, budget.programme_type, budget.programme_id)
    pagination = db.paginate(select(LedgerEntry).where(LedgerEntry.budget_id == budget.id)
                             .order_by(LedgerEntry.id.desc()), page=page_arg(), per_page=per_page_arg(),
                             error_out=False)
    return jsonify(paginated(pagination, lambda e: {
        "id": e.id, "type": e.entry_type.value, "amount": e.amount_won, "allowance_id": e.allowance_id,
        "batch_id": e.batch_id, "actor_id": e.actor_id, "reason": e.reason,
        "created_at": iso(e.created_at),
    }))


RULE = {"type": "object", "properties": {
    "programme_type": {"type": "string", "enum": PROGRAMME_TYPES}, "programme_id": {"type": "integer"},
    "amount_per_session": {"type": "integer"}, "monthly_cap": {"type": "integer"}}}


@bp.route("/allowance-rules", methods=["PUT"])
@token_required
@documented("Set a programme's allowance per attended session and monthly cap per person (admin)", tag="budgets",
            body={**RULE, "required": ["programme_type", "programme_id", "amount_per_session", "monthly_cap"]},
            responses={200: ("Saved", RULE), 403: ("Not allowed", ERROR)})
def put_allowance_rule():
    user = require_api(can_manage_budgets)
    form = validate(AllowanceRuleForm, json_body())
    rule = funds.set_allowance_rule(programme_type=ProgrammeType(form.programme_type.data),
                                    programme_id=form.programme_id.data,
                                    amount_per_session_won=form.amount_per_session.data,
                                    monthly_cap_won=form.monthly_cap.data, actor=user)
    return respond({"programme_type": rule.programme_type.value, "programme_id": rule.programme_id,
                    "amount_per_session": rule.amount_per_session_won, "monthly_cap": rule.monthly_cap_won})


def _batch_or_404(batch_id: int) -> PayoutBatch:
    return db.session.get(PayoutBatch, batch_id, options=[
        selectinload(PayoutBatch.allowances).selectinload(Allowance.user)]) or abort(404)


BLOCKED = {"type": "array", "items": {"type": "object", "properties": {
    "allowance_id": {"type": "integer"}, "member_id": {"type": "integer"}, "amount": {"type": "integer"},
    "reason": {"type": "string"}}}}


@bp.route("/payout-batches", methods=["GET"])
@token_required
@documented("Payout batches, newest first, and what waits for the next one (staff)", tag="payouts",
            query=[query_param("page", "integer"), query_param("per_page", "integer", "at most 100")],
            responses={200: ("Batches, payable allowance ids and blocked allowances", {
                "type": "object", "properties": {"items": {"type": "array", "items": BATCH},
                                                 "awaiting": {"type": "array", "items": {"type": "integer"}},
                                                 "blocked": BLOCKED}}),
                       403: ("Not allowed", ERROR)})
def list_batches():
    require_api(can_manage_payouts)
    pagination = db.paginate(queries.batches_query(), page=page_arg(), per_page=per_page_arg(), error_out=False)
    body = paginated(pagination, batch_json)
    payable, blocked = payouts.awaiting_payout()
    body["awaiting"] = [a.id for a in payable]
    body["blocked"] = blocked_json(blocked)
    return jsonify(body)


@bp.route("/payout-batches", methods=["POST"])
@token_required
@idempotent
@documented("Put every payable approved allowance into a new batch; the blocked ones are listed with why (staff)",
            tag="payouts", responses={201: ("Created", {"type": "object", "properties": {
                "batch": BATCH, "blocked": BLOCKED}}), **ACTION_ERRORS})
def create_batch():
    user = require_api(can_manage_payouts)
    batch, blocked = payouts.create_batch(user)
    return respond({"batch": batch_json(batch), "blocked": blocked_json(blocked)}, 201)


@bp.route("/payout-batches/<int:batch_id>", methods=["GET"])
@token_required
@documented("One payout batch with its transfers (account numbers masked) (staff)", tag="payouts",
            responses={200: ("The batch", BATCH), 403: ("Not allowed", ERROR), 404: ("Not found", ERROR)})
def get_batch(batch_id: int):
    require_api(can_manage_payouts)
    batch = _batch_or_404(batch_id)
    body = batch_json(batch)
    record_view(api_user(), [row["member_id"] for row in body["transfers"]], DataKind.BANK_ACCOUNT,
                target_type="payout_batch", target_id=batch.id)
    return jsonify(body)


@bp.route("/payout-batches/<int:batch_id>/export", methods=["POST"])
@token_required
@documented("The batch as CSV for the bank transfer (UTF-8 with BOM; name, bank, account number, amount) (staff)",
            tag="payouts", responses={200: ("text/csv", None), 403: ("Not allowed", ERROR), 404: ("Not found", ERROR)})
def export_batch(batch_id: int):
    user = require_api(can_manage_payouts)
    batch = _batch_or_404(batch_id)
    content = payouts.export_batch_csv(batch, user)
    db.session.commit()
    return Response(content, mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="payout-batch-{batch.id}.csv"', "Cache-Control": "no-store"})


@bp.route("/payout-batches/<int:batch_id>/paid", methods=["POST"])
@token_required
@idempotent
@documented("Mark an exported batch paid: payout ledger entries, committed moves to paid (staff). "
            "Accepts Idempotency-Key.", tag="payouts", responses={200: ("Paid", BATCH), **ACTION_ERRORS})
def pay_batch(batch_id: int):
    user = require_api(can_manage_payouts)
    batch = _batch_or_404(batch_id)
    payouts.mark_batch_paid(batch, user)
    return respond(batch_json(batch))
