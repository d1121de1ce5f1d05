"""Public pages: who may use the emergency channel, the request form and its confirmation."""

from __future__ import annotations

import secrets

from flask import redirect, render_template, session, url_for
from sqlalchemy import select

from portal import toolkit

from .forms import EmergencyForm
from .mail import queue
from .models import EmergencyRequest

bp = toolkit.public_blueprint("emergency", __name__)

# Without 0/O, 1/I/L and U, so a number read out on the phone is not misheard.
CONFIRMATION_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
SESSION_KEY = "emergency_confirmation"


def new_confirmation() -> str:
    """Return an unused confirmation number like NF-7K3P-9QX2."""
    while True:
        code = "".join(secrets.choice(CONFIRMATION_ALPHABET) for _ in range(8))
        number = f"NF-{code[:4]}-{code[4:]}"
        if toolkit.session().scalar(select(EmergencyRequest.id).where(EmergencyRequest.confirmation == number)) \
                is None:
            return number


def _counts_as_sent(response) -> bool:
    return response.status_code == 302


@bp.route("/", methods=["GET", "POST"])
@toolkit.limiter.limit(toolkit.client_limit("30 per hour"), methods=["POST"])
@toolkit.limiter.limit(toolkit.client_limit("5 per hour; 10 per day"), methods=["POST"],
                       deduct_when=_counts_as_sent)
def request_form():
    form = EmergencyForm()
    retention_days = toolkit.plugin_settings("emergency")["retention_days"]
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("emergency/form.html", form=form, retention_days=retention_days), status
    db = toolkit.session()
    entry = EmergencyRequest(confirmation=new_confirmation(), category=form.category.data,
                             reference=form.reference.data or "", matter=form.matter.data,
                             contact_email=form.email.data or "", contact_phone=form.phone.data or "",
                             language=form.language.data, other_language=form.chosen_other_language())
    db.add(entry)
    # Stored first, so the e-mail gives the time of receipt that the request keeps.
    db.flush()
    message = queue(entry)
    db.commit()
    session[SESSION_KEY] = entry.confirmation
    return toolkit.send_after_response(redirect(url_for(".sent")), message)


@bp.route("/sent")
def sent():
    number = session.get(SESSION_KEY)
    if not number:
        return redirect(url_for(".request_form"))
    return render_template("emergency/sent.html", confirmation=number)
