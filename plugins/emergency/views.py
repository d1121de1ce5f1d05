"""Public pages: who may use the emergency channel, the request form and its confirmation."""

from __future__ import annotations

import secrets

from flask import redirect, render_template, request, session, url_for
from sqlalchemy import select

from portal import toolkit

from .forms import MATTER_MAX, MATTER_MIN, EmergencyForm
from .mail import queue
from .models import EmergencyRequest

bp = toolkit.public_blueprint("emergency", __name__)

# Without 0/O, 1/I/L and U, so a number read out on the phone is not misheard.
CONFIRMATION_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
SESSION_KEY = "emergency_confirmation"
# The form in Leichte Sprache posts to the same view with this field, so failures show in Leichte Sprache again.
EASY_FIELD = "leicht"


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
@toolkit.kept_form_page
@toolkit.limiter.limit(toolkit.client_limit("30 per hour"), methods=["POST"])
@toolkit.limiter.limit(toolkit.client_limit("5 per hour; 10 per day"), methods=["POST"],
                       deduct_when=_counts_as_sent)
def request_form():
    form = EmergencyForm()
    # Leichte Sprache is German only: an easy form its language switch carries to another language is answered
    # there as the everyday form, with what was typed.
    easy_form = form.is_submitted() and request.form.get(EASY_FIELD) == "1" \
        and toolkit.current_language() == toolkit.easy_language_code()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return (_render_easy(form) if easy_form else _render(form)), status
    sent_page = url_for(".easy_sent" if easy_form else ".sent")
    earlier = toolkit.claim_sending(form)
    if earlier is not None:
        # The same page sent again (a double tap): its request went out once; this answer names it too. A 303,
        # unlike the first answer's 302, is not counted against the client's requests per hour.
        session[SESSION_KEY] = earlier
        return redirect(sent_page, 303)
    db = toolkit.session()
    entry = EmergencyRequest(confirmation=new_confirmation(), category=form.category.data,
                             reference=form.reference.data or "", matter=form.matter.data,
                             contact_email=form.email.data or "", contact_phone=form.phone.data or "",
                             language=form.language.data, other_language=form.chosen_other_language())
    db.add(entry)
    # Stored first, so the e-mail gives the time of receipt that the request keeps.
    db.flush()
    message = queue(entry)
    toolkit.keep_answer(form, entry.confirmation)
    db.commit()
    session[SESSION_KEY] = entry.confirmation
    return toolkit.send_after_response(redirect(sent_page), message)


def _render(form: EmergencyForm) -> str:
    return render_template("emergency/form.html", form=form, matter_min=MATTER_MIN, matter_max=MATTER_MAX,
                           retention_days=toolkit.plugin_settings("emergency")["retention_days"])


def _easy_errors(form: EmergencyForm, messages: dict) -> dict[str, str]:
    """Say in Leichte Sprache what is wrong with each refused field of the form, in the form's order."""
    errors = {}
    for field in form:
        if not field.errors:
            continue
        if field.name == "matter":
            errors["matter"] = messages["matter_long" if len(field.data or "") > MATTER_MAX else "matter_short"]
        elif field.name == "email":
            errors["email"] = messages["email" if field.data else "contact"]
        elif field.name == "csrf_token":
            errors["csrf_token"] = messages["expired"]
        else:
            errors[field.name] = messages[field.name]
    return errors


def _render_easy(form: EmergencyForm) -> str:
    text = toolkit.easy_text("emergency", "notfall")
    return render_template("emergency/easy.html", form=form, easy=text, errors=_easy_errors(form, text["errors"]),
                           matter_max=MATTER_MAX, retention_days=toolkit.plugin_settings("emergency")["retention_days"])


@bp.route("/leicht")
def easy():
    """Explain the emergency form in Leichte Sprache, step by step; it posts to the normal form's view."""
    return _render_easy(EmergencyForm())


@bp.route("/leicht/gesendet")
def easy_sent():
    number = session.get(SESSION_KEY)
    if not number:
        return redirect(url_for(".easy"))
    return render_template("emergency/easy_sent.html", easy=toolkit.easy_text("emergency", "notfall"),
                           confirmation=number)


@bp.route("/sent")
def sent():
    number = session.get(SESSION_KEY)
    if not number:
        return redirect(url_for(".request_form"))
    return render_template("emergency/sent.html", confirmation=number)
