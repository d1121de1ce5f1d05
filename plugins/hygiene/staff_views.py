"""Staff pages: list rules by state, create and change them, end them now; every change is audited."""

from __future__ import annotations

from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, or_, select

from portal import toolkit
from portal.toolkit import _

from .forms import RuleForm, parse_metres
from .models import Rule
from .rules import KINDS, PARAMETERS, fill_parameters, office_locations, unknown_placeholders

staff = toolkit.staff_blueprint("hygiene", __name__, role="editor")
# Advanced by every save of a rule before it is checked against the others (_hold_rules).
RULES_TOPIC = "hygiene:rules"

def _metres_text(metres) -> str | None:
    # As typed, whether read back from the database (2.00) or from the form (2): an unchanged distance is no change.
    # Formatted with "f": str() of a normalized 10 is "1E+1".
    return f"{Decimal(metres).normalize():f}" if metres else None


def snapshot(rule: Rule) -> dict:
    """Return a rule's fields as plain values for the audit log."""
    return {"kind": rule.kind, "persons": rule.persons, "metres": _metres_text(rule.metres),
            "location": rule.location, "starts_on": rule.starts_on.isoformat(),
            "ends_on": rule.ends_on.isoformat() if rule.ends_on else None,
            "ended_at": rule.ended_at.isoformat() if rule.ended_at else None, "position": rule.position,
            "text": dict(rule.text)}


def named(rule: Rule) -> str:
    """Name a rule in the audit log by the beginning of its text in the source language."""
    text = rule.text.get(toolkit.source_language(), "")
    return text if len(text) <= 80 else text[:79].rstrip() + "…"


def state(rule: Rule, today) -> str:
    """Tell whether a rule is in force, planned, or over (expired or ended)."""
    if rule.ended_at is not None or (rule.ends_on is not None and rule.ends_on < today):
        return "over"
    return "planned" if rule.starts_on > today else "in_force"


@staff.route("/")
def index():
    today, source = toolkit.office_today(), toolkit.source_language()
    rules = toolkit.session().scalars(select(Rule).order_by(Rule.starts_on.desc(), Rule.position, Rule.id)).all()
    grouped = {"in_force": [], "planned": [], "over": []}
    for rule in rules:
        grouped[state(rule, today)].append(rule)
    return render_template("hygiene/staff/index.html", grouped=grouped, kinds=KINDS,
                           source_text=lambda rule: fill_parameters(rule.text.get(source, ""), rule, source),
                           several_locations=len(office_locations()) > 1)


def _prepare(form: RuleForm) -> None:
    """Fill the form's choices; offer the location only where there is a choice."""
    form.kind.choices = [(kind, str(label)) for kind, label in KINDS.items()]
    if len(office_locations()) > 1:
        form.location.choices = [("", _("Alle Standorte"))] + [(place, place) for place in office_locations()]
    else:
        # One location: rules hold there, and the form neither shows nor expects a choice.
        del form.location


def _form_data(rule: Rule | None) -> dict:
    if rule is None:
        position = (toolkit.session().scalar(select(func.max(Rule.position))) or 0) + 1
        return {"kind": "other", "starts_on": toolkit.office_today(), "position": position}
    return {"version": rule.version, "kind": rule.kind, "persons": rule.persons,
            "metres": (_metres_text(rule.metres) or "").replace(".", ","),
            "location": rule.location, "starts_on": rule.starts_on, "ends_on": rule.ends_on,
            "position": rule.position, "text": rule.text}


def _clashing_rule(rule_id: int | None, kind: str, location: str, starts_on, ends_on) -> Rule | None:
    """Return another rule of the kind that applies at the location on a day this one does too ("other" never)."""
    if kind == "other":
        return None
    now = toolkit.utcnow()
    query = select(Rule).where(Rule.kind == kind, Rule.id != (rule_id or 0),
                               or_(Rule.ended_at.is_(None), Rule.ended_at > now),
                               or_(Rule.ends_on.is_(None), Rule.ends_on >= starts_on))
    if ends_on is not None:
        query = query.where(Rule.starts_on <= ends_on)
    if location:
        # A rule for every location applies at this one too.
        query = query.where(Rule.location.in_(["", location]))
    return toolkit.session().scalars(query.limit(1)).first()


def _check_across_fields(form: RuleForm) -> bool:
    """Check what only the whole form can tell, as far as the fields it needs passed their own; tell if all did."""
    kind = None if form.kind.errors else form.kind.data
    valid = True
    if kind == "persons_per_room" and form.persons.data is None and not form.persons.errors:
        form.persons.errors.append(_("Bitte geben Sie an, wie viele Personen in einen Raum dürfen."))
        valid = False
    if kind == "distance" and not (form.metres.data or "").strip():
        form.metres.errors.append(_("Bitte geben Sie den Abstand in Metern an."))
        valid = False
    # An unreadable day is None, and has its own message.
    starts_on, ends_on = form.starts_on.data, form.ends_on.data
    if ends_on and starts_on and ends_on < starts_on:
        form.ends_on.errors.append(_("Das Ende darf nicht vor dem Beginn liegen."))
        valid = False
    texts = form.text.data
    for code, value in texts.items():
        unknown = unknown_placeholders(value, kind) if kind else []
        if unknown:
            form.text[code].errors.append(_("Diese Platzhalter passen nicht zur Art der Regel: %(names)s",
                                            names=", ".join(unknown)))
            valid = False
    source = toolkit.source_language()
    if source not in texts:
        form.text[source].errors.append(_("Bitte geben Sie den Text in dieser Sprache ein: %(language)s.",
                                          language=toolkit.source_language_name()))
        valid = False
    return valid


def _check_clash(form: RuleForm, rule_id: int | None) -> bool:
    """Refuse a rule another of its kind meets at its place and time, as far as the form tells; tell if none did."""
    kind = None if form.kind.errors else form.kind.data
    location_known = "location" not in form or not form.location.errors
    # An end before the start has its error by now (_check_across_fields), like an unreadable end.
    period_known = form.starts_on.data is not None and not form.ends_on.errors
    if kind and location_known and period_known and _clashing_rule(rule_id, kind, _location(form),
                                                                   form.starts_on.data, form.ends_on.data):
        # Two rules of one kind at one place (at most 2 persons, at most 4) would tell visitors both.
        form.kind.errors.append(_("Eine Regel dieser Art gilt dort zur selben Zeit schon. Bitte ändern oder "
                                  "beenden Sie diese, statt eine zweite anzulegen."))
        return False
    return True


def _hold_rules() -> None:
    """Make every other save of a rule wait until this transaction ends; call before checking for a clash."""
    # Two editors saving contradictory rules at one moment would each find no clash in what is stored. The topic's
    # row, locked until commit (on SQLite the database's write lock), makes the second wait, and its check then reads
    # what the first one saved.
    toolkit.bump(RULES_TOPIC)


def _location(form: RuleForm) -> str:
    """Return the location the rule holds at: the one chosen, or every location where there is no choice."""
    return form.location.data if "location" in form else ""


def _values(form: RuleForm) -> dict:
    """Return the rule's new values from a form that passed every check."""
    kind = form.kind.data
    parameter = PARAMETERS.get(kind)
    return {"kind": kind, "persons": form.persons.data if parameter == "persons" else None,
            "metres": parse_metres(form.metres.data) if parameter == "metres" else None,
            "location": _location(form),
            "starts_on": form.starts_on.data, "ends_on": form.ends_on.data, "position": form.position.data,
            "text": form.text.data}


@staff.route("/rules/new", methods=["GET", "POST"])
@staff.route("/rules/<int:rule_id>/edit", methods=["GET", "POST"])
def edit(rule_id: int | None = None):
    session = toolkit.session()
    rule = session.get(Rule, rule_id) if rule_id is not None else None
    if rule_id is not None and rule is None:
        abort(404)
    if rule is not None and rule.ended_at is not None:
        flash(_("Diese Regel ist beendet und lässt sich nicht mehr ändern. Legen Sie bei Bedarf eine neue an."),
              "error")
        return redirect(url_for(".index"))
    form = RuleForm(data=_form_data(rule)) if request.method == "GET" else RuleForm()
    _prepare(form)
    conflict = None
    if form.is_submitted():
        fields_valid = form.validate()
        # The checks across fields run after a field failed too, so that one answer names everything to correct.
        if not (_check_across_fields(form) and fields_valid):
            # Nothing is saved, so the clash is named with the other errors without holding the rules.
            _check_clash(form, rule_id)
        elif rule is None:
            # Claimed before the clash check: a second sending of this page would clash with the rule its first made.
            if toolkit.claim_sending(form) is not None:
                return _saved(303)
            _hold_rules()
            if _check_clash(form, None):
                values = _values(form)
                texts = values.pop("text")
                rule = Rule(**values, updated_by=toolkit.current_staff().email)
                rule.save_texts(texts)
                session.add(rule)
                session.flush()
                toolkit.audit("create", "hygiene_rule", rule.id, after=snapshot(rule), summary=named(rule))
                toolkit.keep_answer(form, str(rule.id))
                session.commit()
                return _saved()
        else:
            values = _values(form)
            texts = values.pop("text")
            before = snapshot(rule)

            def change():
                for key, value in values.items():
                    setattr(rule, key, value)
                rule.save_texts(toolkit.edited_texts(rule.text, texts, form.text.codes),
                                form.translations_still_fit.data)
                rule.updated_by, rule.updated_at = toolkit.current_staff().email, toolkit.utcnow()

            saved = toolkit.save_if_current(rule, form.version.data, change)
            # Claimed after the save, as notices' edit does: a second sending of this page finds the version it was
            # opened with gone and its claim taken; a claim made on the way to a conflict is not committed.
            if toolkit.claim_sending(form) is not None:
                return _saved(303)
            if not saved:
                conflict = session.get(Rule, rule.id)
                form.version.data = conflict.version
            else:
                # Held after the versioned write, like the claim: a colleague's save of a rule now waits for this one.
                _hold_rules()
                if _check_clash(form, rule.id):
                    toolkit.audit("update", "hygiene_rule", rule.id, before=before, after=snapshot(rule),
                                  summary=named(rule))
                    session.commit()
                    return _saved()
                # The rule as stored, not as refused, is what the page shows beside the form.
                session.rollback()
    status = 409 if conflict else 422 if request.method == "POST" else 200
    return render_template("hygiene/staff/edit.html", form=form, rule=rule, conflict=conflict,
                           parameters=PARAMETERS, kinds=KINDS, several_locations=len(office_locations()) > 1), status


def _saved(status: int = 302):
    """Answer a rule's saved form, or its page sent again (303), with the list of rules."""
    flash(_("Die Regel ist gespeichert."), "success")
    return redirect(url_for(".index"), status)


@staff.route("/rules/<int:rule_id>/end", methods=["POST"])
def end(rule_id: int):
    session = toolkit.session()
    rule = session.get(Rule, rule_id) or abort(404)
    form = toolkit.VersionForm()
    if not form.validate_on_submit():
        abort(400)
    if rule.ended_at is not None:
        flash(_("Diese Regel war schon beendet."), "success")
        return redirect(url_for(".index"))
    before = snapshot(rule)

    def end_now():
        rule.ended_at = rule.updated_at = toolkit.utcnow()
        rule.updated_by = toolkit.current_staff().email

    if not toolkit.save_if_current(rule, form.version.data, end_now):
        flash(_("Die Regel wurde inzwischen geändert. Bitte prüfen Sie sie und beenden Sie sie dann noch einmal."),
              "error")
        return redirect(url_for(".index"))
    toolkit.audit("end", "hygiene_rule", rule.id, before=before, after=snapshot(rule), summary=named(rule))
    session.commit()
    flash(_("Die Regel ist beendet. Besucherinnen und Besucher sehen sie nicht mehr."), "success")
    return redirect(url_for(".index"))
