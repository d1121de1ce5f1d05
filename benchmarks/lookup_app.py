"""The second yardstick: the least a Flask app on this stack does for the status lookup.

One query with SQLAlchemy Core on the portal's own database (PORTAL_DATABASE_URL), the constant-time
comparison of the keyed hash of reference and date of birth (PORTAL_SECRET_KEY, as the appointments plugin
stores it), and JSON; ``/page`` the same query and a compiled template of a small page. No sessions, no
rate limits, no languages, no security headers, no compression: what the portal adds is measured against this.
"""

import hashlib
import hmac
import os

from flask import Flask, abort, request
from sqlalchemy import create_engine, text

app = Flask(__name__)
engine = create_engine(os.environ["PORTAL_DATABASE_URL"])
SECRET = os.environ["PORTAL_SECRET_KEY"].encode()
PURPOSE = "appointments-birth-key"
QUERY = text("SELECT reference, birth_key, service, status, starts_at, building, room "
             "FROM appointments_appointment WHERE reference = :reference")
PAGE = app.jinja_env.from_string("""<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>Termin {{ row.reference }}</title></head>
<body><h1>Termin {{ row.reference }}</h1><dl><dt>Status</dt><dd>{{ row.status }}</dd>
<dt>Ort</dt><dd>{{ row.building }}, {{ row.room }}</dd><dt>Beginn</dt><dd>{{ row.starts_at }}</dd></dl></body></html>
""")


def _found(reference: str, birth_date: str):
    with engine.connect() as connection:
        row = connection.execute(QUERY, {"reference": reference}).first()
    message = "\x00".join((PURPOSE, reference, birth_date)).encode()
    expected = hmac.new(SECRET, message, hashlib.sha256).hexdigest()
    return row if row is not None and hmac.compare_digest(row.birth_key, expected) else None


@app.post("/lookup")
def lookup():
    body = request.get_json(silent=True) or {}
    row = _found(str(body.get("reference", "")), str(body.get("birth_date", "")))
    if row is None:
        abort(404)
    return {"reference": row.reference, "service": row.service, "status": row.status,
            "starts_at": str(row.starts_at), "building": row.building, "room": row.room}


@app.get("/page/<reference>/<birth_date>")
def page(reference: str, birth_date: str):
    row = _found(reference, birth_date)
    if row is None:
        abort(404)
    return PAGE.render(row=row)
