from flask import jsonify

from app.api import bp
from app.api.spec import build_openapi, documented
from app.districts import DISTRICTS


@bp.route("/openapi.json")
@documented("This OpenAPI document", tag="meta", auth=False)
def openapi():
    return jsonify(build_openapi())


@bp.route("/districts")
@documented("The districts (dong) a resident can live in", tag="meta", auth=False)
def districts():
    return jsonify({"items": [{"code": code, "name_ko": ko, "name_en": en} for code, ko, en in DISTRICTS]})
