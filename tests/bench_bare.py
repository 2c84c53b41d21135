"""The baseline of `make bench LOAD=1`: a bare Flask app answering a page of a given size, served by the
same gunicorn configuration as Maeul. What Maeul's pages cost beyond it is Maeul's own work."""
from flask import Flask, Response

app = Flask(__name__)
_CHUNK = "<p>마을 주민참여 플랫폼 — 기준 페이지입니다.</p>\n"


@app.route("/bytes/<int:size>")
def page(size: int):
    body = (_CHUNK * (size // len(_CHUNK.encode()) + 1)).encode()[:size]
    return Response(body, mimetype="text/html")
