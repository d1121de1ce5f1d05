"""Emergency contact: who may write while walk-in service is closed, a structured request form, and the staff inbox."""

from __future__ import annotations

from portal import toolkit
from portal.toolkit import _l, hookimpl


def _request_state(state: str) -> str:
    """Return a request state's name as the inbox shows it; KeyError for one the plugin no longer knows."""
    from .labels import state_label

    return state_label(state)


plugin_info = toolkit.PluginInfo(
    name="emergency",
    title=_l("Notfall-Kontakt"),
    description=_l("Nimmt dringende Anliegen entgegen, solange keine offene Sprechstunde ist, und leitet sie per "
                   "E-Mail an die Notfall-Adresse weiter."),
    version="1.0.0",
    roles=("caseworker",),
    easy_pages=(toolkit.EasyPage(endpoint="emergency.easy", text="notfall", order=90,
                                 standard="emergency.request_form"),),
    # The audit log's words for the entries of staff_views.py, in the reader's language.
    audit_targets=(toolkit.AuditTarget(
        "emergency_request",
        actions={"state": _l("Stand der Notfall-Anfrage geändert")},
        fields={"state": _l("Stand")},
        values={"state": _request_state},
    ),),
)


@hookimpl
def portal_blueprints():
    from .staff_views import bp as staff_bp
    from .views import bp

    return [bp, staff_bp]


@hookimpl
def portal_models():
    from .models import EmergencyRequest

    return [EmergencyRequest]


@hookimpl
def portal_settings_model():
    from .settings import EmergencySettings

    return EmergencySettings


@hookimpl
def portal_navigation():
    return [toolkit.NavItem(title=_l("Notfall"), endpoint="emergency.request_form", order=900)]


@hookimpl
def portal_home_tiles():
    return [toolkit.Tile(title=_l("Dringendes Anliegen"),
                         text=_l("Ihr Aufenthaltstitel läuft ab, eine Arbeit beginnt oder Sie müssen dringend reisen?"),
                         endpoint="emergency.request_form", order=900)]


@hookimpl
def portal_staff_menu():
    return [toolkit.StaffMenuItem(title=_l("Notfall-Anfragen"), endpoint="emergency_staff.inbox", role="caseworker",
                                  order=500)]


@toolkit.content_cached
def _footer_link():
    from flask import url_for
    from markupsafe import Markup

    return Markup('<li><a href="{}">{}</a></li>').format(url_for("emergency.request_form"),
                                                          toolkit._("Notfall-Anfrage senden"))


@hookimpl
def portal_slot_answers():
    return {"footer": _footer_link}


@hookimpl
def portal_purge_expired(session, now):
    from datetime import timedelta

    from sqlalchemy import delete, select

    from .models import EmergencyRequest

    cutoff = now - timedelta(days=toolkit.plugin_settings("emergency")["retention_days"])
    expired_mail = select(EmergencyRequest.mail_id).where(EmergencyRequest.created_at < cutoff)
    session.execute(delete(toolkit.MailMessage).where(toolkit.MailMessage.id.in_(expired_mail)))
    purged = session.execute(delete(EmergencyRequest).where(EmergencyRequest.created_at < cutoff)
                             .returning(EmergencyRequest.id)).scalars().all()
    toolkit.forget_audit_details("emergency_request", purged)
    return len(purged)


@hookimpl
def portal_demo_data(session):
    from sqlalchemy import select

    from .mail import queue
    from .models import EmergencyRequest

    if session.scalar(select(EmergencyRequest.id).limit(1)) is not None:
        return
    now = toolkit.utcnow()
    demo = [("NF-7K3P-9QX2", "permit", "54/3311-2025", "Mein Aufenthaltstitel läuft am Freitag ab. Ich habe im "
             "März einen Termin beantragt, aber keine Antwort bekommen.", "kunde@example.org", "", "tr", "new"),
            ("NF-H4TR-2WMB", "work", "", "Ich beginne am Montag eine Arbeit als Pflegehelferin und brauche die "
             "Bestätigung, dass ich arbeiten darf.", "", "+49 211 555 0100", "uk", "in_progress")]
    for number, category, reference, matter, email, phone, language, state in demo:
        request = EmergencyRequest(confirmation=number, category=category, reference=reference, matter=matter,
                                   contact_email=email, contact_phone=phone, language=language, state=state,
                                   created_at=now)
        session.add(request)
        mail = queue(request)
        mail.status, mail.attempts, mail.sent_at = "sent", 1, now
