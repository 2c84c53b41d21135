from flask import jsonify

from app.api import bp
from app.core import DomainError, ValidationFailed
from app.extensions import db
from app.ops.logs import request_id


@bp.errorhandler(ValidationFailed)
def validation_failed(error: ValidationFailed):
    db.session.rollback()
    errors = {field: [str(m) for m in messages] for field, messages in error.errors.items()}
    return jsonify({"errors": errors}), 422


@bp.errorhandler(DomainError)
def domain_error(error: DomainError):
    db.session.rollback()
    if error.status == 422 and error.field:
        return jsonify({"errors": {error.field: [str(error.message)]}}), 422
    body = {"code": error.status, "message": str(error.message), "request_id": request_id()}
    return jsonify({"error": body}), error.status
