"""Short-notice offers: candidates by urgency, the first to accept takes the slot exactly once, the others are told."""

from __future__ import annotations

import re
import threading
from datetime import date, datetime, time, timedelta
from email.header import decode_header, make_header
from zoneinfo import ZoneInfo

import pytest
from portal_plugins.appointments.models import Appointment
from portal_plugins.appointments.offers import accept
from portal_plugins.appointments.selfservice_models import FreedSlot, Offer, PendingMove, ShortNoticeEntry
from sqlalchemy import select

from portal import toolkit
from portal.testing import audit_log, csrf_token

MAIL = {"mail": {"host": "127.0.0.1", "port": 1, "sender": "portal@amt.example"}}
pytestmark = pytest.mark.portal_config(MAIL)
BERLIN = ZoneInfo("Europe/Berlin")
BIRTHS = {"M-200001": date(1980, 1, 1), "M-200002": date(1981, 2, 2), "M-200003": date(1982, 3, 3),
          "M-200004": date(1983, 4, 4)}


@pytest.fixture
def freed_slot_and_list(client, add_appointment, open_result, act):
    """One client gives back tomorrow's slot; three of the same service wait, with permits expiring or not."""
    add_appointment("M-100001", days=1, clock=time(8, 0))
    for reference, birth in BIRTHS.items():
        add_appointment(reference, birth, days=60)
    _html, token = open_result(client)
    assert act(client, "cancel", token, wants_new_date="no").status_code == 200
    waiting = {"M-200001": ("a@example.org", ""), "M-200002": ("b@example.org", "2027-01-10"),
               "M-200003": ("", "2026-12-30")}
    for reference, (email, expiry) in waiting.items():
        _html, token = open_result(client, reference=reference, birth_date=BIRTHS[reference])
        day, month, year = reversed(expiry.split("-")) if expiry else ("", "", "")
        assert act(client, "short-notice", token, email=email, day=day, month=month, year=year).status_code == 200


def offer_from_staff(staff):
    inbox = staff.get("/de/staff/appointments/self-service/")
    assert inbox.status_code == 200
    path = re.search(r'action="(/de/staff/appointments/self-service/slots/\d+/offer)"',
                     inbox.get_data(as_text=True)).group(1)
    return staff.post(path, data={"csrf_token": csrf_token(staff, "/de/staff/appointments/self-service/")})


@pytest.mark.portal_config({"plugin_settings": {"appointments": {"offer_candidates": 2}}})
def test_staff_offer_a_freed_slot_to_the_most_urgent_first(app, client, freed_slot_and_list, staff_client, database,
                                                            mail_server, open_result):
    assert offer_from_staff(staff_client("caseworker")).status_code == 302
    with database() as session:
        offered = session.execute(select(ShortNoticeEntry.email).join(
            Offer, Offer.appointment_id == ShortNoticeEntry.appointment_id).order_by(Offer.id)).scalars().all()
    # The permit expiring first comes first (without e-mail: the offer shows on the result page only).
    assert offered == ["", "b@example.org"]
    app.test_cli_runner().invoke(args=["mail", "deliver", "--all"])
    assert [mail["X-Envelope-To"] for mail in mail_server.messages] == ["b@example.org"]
    # The deadline reads as the slot does: day, then time, one full stop.
    body = mail_server.messages[0].get_payload(decode=True).decode()
    assert re.search(r"Das Angebot gilt bis \w+, \d+\.\s\w+\s\d{4}, \d\d:\d\d Uhr\.\s", body), body
    html, _token = open_result(client, reference="M-200003", birth_date=BIRTHS["M-200003"])
    assert "Ein früherer Termin ist frei geworden" in html


def offers_made(database) -> int:
    with database() as session:
        return len(session.scalars(select(Offer.id)).all())


@pytest.mark.portal_config({"plugin_settings": {"appointments": {"offer_candidates": 2}}})
def test_a_slot_offered_twice_is_offered_once_and_the_second_click_is_told(freed_slot_and_list, staff_client,
                                                                            database):
    staff = staff_client("caseworker")
    assert offer_from_staff(staff).status_code == 302
    # The page sent again (a double click, Back): the third on the list is not offered the same slot too.
    assert offer_from_staff(staff).status_code == 302
    assert "Dieser Termin ist schon angeboten" in staff.get("/de/staff/appointments/self-service/").get_data(
        as_text=True)
    assert offers_made(database) == 2


@pytest.mark.portal_config({"plugin_settings": {"appointments": {"offer_candidates": 2}}})
def test_two_colleagues_offering_a_slot_at_once_make_one_round_of_offers(freed_slot_and_list, staff_client, database,
                                                                         twice_at_once):
    from portal_plugins.appointments import selfservice_staff

    first, second = staff_client("caseworker"), staff_client("caseworker")
    overlapped, one, other = twice_at_once(selfservice_staff, "offer_slot", lambda: offer_from_staff(first),
                                           lambda: offer_from_staff(second))
    assert not overlapped, "the second offer was made while the first was still being made"
    assert (one.status_code, other.status_code) == (302, 302)
    assert offers_made(database) == 2


def test_the_audit_log_tells_an_offer_in_the_readers_words(freed_slot_and_list, staff_client):
    offer_from_staff(staff_client("caseworker"))
    entry = audit_log(staff_client("admin"), "en")[0]
    assert entry.what.startswith("Free appointment offered at short notice ") and entry.summary == "M-100001"
    assert [change.split(" | ")[0] for change in entry.changes] == ["Offers"]


def test_the_first_to_accept_takes_it_and_the_other_is_told(app, client, freed_slot_and_list, staff_client,
                                                            database, mail_server, open_result):
    offer_from_staff(staff_client("caseworker"))
    app.test_cli_runner().invoke(args=["mail", "deliver", "--all"])
    links = [re.search(r"(/de/appointments/offer/\S+)", mail.get_payload(decode=True).decode()).group(1)
             for mail in mail_server.messages]
    assert len(links) == 2
    first, second = app.test_client(), app.test_client()
    page = first.get(links[0]).get_data(as_text=True)
    assert "Termin annehmen" in page
    answer = first.post(links[0], data={"csrf_token": csrf_token(first, links[0])}, follow_redirects=True)
    assert "gehört Ihnen" in answer.get_data(as_text=True)
    # The second page was opened before the first client accepted.
    answer = second.post(links[1], data={"csrf_token": csrf_token(second, "/de/appointments/")},
                         follow_redirects=True)
    assert "schon vergeben" in answer.get_data(as_text=True)
    # Accepting twice (a double click, Back and send again) takes it once and says again that it is theirs.
    again = first.post(links[0], data={"csrf_token": csrf_token(first, "/de/appointments/")},
                        follow_redirects=True)
    assert "gehört Ihnen" in again.get_data(as_text=True) and "schon vergeben" not in again.get_data(as_text=True)
    with database() as session:
        assert sorted(session.scalars(select(Offer.state))) == ["accepted", "gone", "gone"]
        # The slot given back by M-100001 is taken; the taker's own date is freed in its turn, for no one yet.
        taken = dict(session.execute(select(FreedSlot.freed_reference, FreedSlot.taken_by_offer_id)).all())
        assert taken.pop("M-100001") is not None and list(taken.values()) == [None]
    app.test_cli_runner().invoke(args=["mail", "deliver", "--all"])
    assert any("schon vergeben" in mail["Subject"] for mail in mail_server.messages[2:])
    with database() as session:
        winner = session.scalars(select(Appointment.reference).join(Offer, Offer.appointment_id == Appointment.id)
                                 .where(Offer.state == "accepted")).one()
    html, _token = open_result(client, reference=winner, birth_date=BIRTHS[winner])
    assert "Der Termin gehört Ihnen" in html


def test_an_offer_accepted_twice_at_once_is_accepted_once_and_both_answers_say_so(
        app, freed_slot_and_list, staff_client, database, mail_server, twice_at_once):
    from portal_plugins.appointments import selfservice_views

    offer_from_staff(staff_client("caseworker"))
    app.test_cli_runner().invoke(args=["mail", "deliver", "--all"])
    link = re.search(r"(/de/appointments/offer/\S+)", mail_server.messages[0].get_payload(decode=True).decode())[1]
    tap, again = app.test_client(), app.test_client()
    tokens = [csrf_token(tapping, link) for tapping in (tap, again)]
    overlapped, first, second = twice_at_once(
        selfservice_views, "accept",
        lambda: tap.post(link, data={"csrf_token": tokens[0]}, follow_redirects=True),
        lambda: again.post(link, data={"csrf_token": tokens[1]}, follow_redirects=True))
    assert not overlapped, "the second tap decided while the first was still deciding"
    for answer in (first, second):
        page = answer.get_data(as_text=True)
        assert "gehört Ihnen" in page and "schon vergeben" not in page
    with database() as session:
        assert session.scalars(select(Offer.state).where(Offer.state == "accepted")).all() == ["accepted"]


def test_an_altered_offer_link_is_refused(app, client, freed_slot_and_list, staff_client, mail_server):
    offer_from_staff(staff_client("caseworker"))
    app.test_cli_runner().invoke(args=["mail", "deliver", "--all"])
    link = re.search(r"(/de/appointments/offer/\S+)", mail_server.messages[0].get_payload(decode=True).decode())[1]
    assert client.get(link[:-2] + ("AA" if not link.endswith("AA") else "BB")).status_code == 404



def test_two_acceptances_at_the_same_moment_one_wins(app, client, freed_slot_and_list, staff_client, database):
    """Two connections accept at once; the database lets exactly one take the slot (SQLite and PostgreSQL)."""
    offer_from_staff(staff_client("caseworker"))
    with database() as session:
        offer_ids = session.scalars(select(Offer.id).order_by(Offer.id)).all()
    assert len(offer_ids) >= 2
    barrier = threading.Barrier(len(offer_ids))
    results: dict[int, bool] = {}

    def take(offer_id):
        with app.test_request_context("/de/appointments/"):
            session = toolkit.session()
            offer = session.get(Offer, offer_id)
            barrier.wait()
            try:
                results[offer_id] = accept(offer)
                session.commit()
            except Exception:  # a database that refuses the second writer also means: not taken
                session.rollback()
                results[offer_id] = False
            finally:
                session.close()

    threads = [threading.Thread(target=take, args=(offer_id,)) for offer_id in offer_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == [False] * (len(offer_ids) - 1) + [True]
    with database() as session:
        slot = session.scalars(select(FreedSlot).filter_by(freed_reference="M-100001")).one()
        assert slot.taken_by_offer_id == next(offer_id for offer_id, won in results.items() if won)
        assert session.scalars(select(Offer.state).where(Offer.state == "accepted")).all() == ["accepted"]


def test_a_client_who_gives_back_their_date_leaves_the_list_and_is_offered_nothing(
        client, freed_slot_and_list, staff_client, database, open_result, act):
    html, token = open_result(client, reference="M-200002", birth_date=BIRTHS["M-200002"])
    assert act(client, "cancel", token, wants_new_date="yes").status_code == 200
    # An offer would tell them that the date they gave back still stands.
    with database() as session:
        assert "b@example.org" not in session.scalars(select(ShortNoticeEntry.email)).all()
    html, _none = open_result(client, reference="M-200002", birth_date=BIRTHS["M-200002"])
    assert "/self-service/short-notice" not in html
    # The page's earlier form, sent after all, changes nothing.
    page = act(client, "short-notice", token, email="b@example.org").get_data(as_text=True)
    assert "Für diesen Termin ist das nicht möglich." in page
    with database() as session:
        assert "b@example.org" not in session.scalars(select(ShortNoticeEntry.email)).all()
        # Nor is a date given back offered to, should its entry have come first.
        session.add(ShortNoticeEntry(appointment_id=session.scalar(select(Appointment.id).filter_by(
            reference="M-200002")), email="b@example.org", language="de"))
        session.commit()
    assert offer_from_staff(staff_client("caseworker")).status_code == 302
    with database() as session:
        offered = session.scalars(select(Appointment.reference).join(
            Offer, Offer.appointment_id == Appointment.id)).all()
    assert offered and "M-200002" not in offered


@pytest.mark.portal_config({"plugin_settings": {"appointments": {"offer_hours": 48}}})
def test_offers_close_hours_before_the_slot(freed_slot_and_list, staff_client, database, mail_server, app):
    # Tomorrow's 08:00 slot: an offer open for 48 hours closes at 06:00, two hours before the slot, and says so.
    offer_from_staff(staff_client("caseworker"))
    with database() as session:
        slot_start = session.scalars(select(FreedSlot.starts_at)).one()
        closing = set(session.scalars(select(Offer.expires_at)))
    assert closing == {slot_start - timedelta(hours=2)}
    app.test_cli_runner().invoke(args=["mail", "deliver", "--all"])
    assert all("06:00" in mail.get_payload(decode=True).decode() for mail in mail_server.messages)


@pytest.mark.portal_config({"plugin_settings": {"appointments": {"offer_closes_hours_before": 48}}})
def test_a_slot_too_soon_to_reach_is_not_offered(freed_slot_and_list, staff_client, database):
    staff = staff_client("caseworker")
    inbox = staff.get("/de/staff/appointments/self-service/").get_data(as_text=True)
    assert "zu kurzfristig zum Anbieten" in inbox and "/offer" not in inbox
    with database() as session:
        slot_id = session.scalars(select(FreedSlot.id)).one()
    answer = staff.post(f"/de/staff/appointments/self-service/slots/{slot_id}/offer",
                        data={"csrf_token": csrf_token(staff, "/de/staff/appointments/self-service/")},
                        follow_redirects=True)
    assert "Dieser Termin beginnt zu bald, um ihn noch anzubieten." in answer.get_data(as_text=True)
    with database() as session:
        assert session.scalars(select(Offer)).all() == []


def accept_first_offer(app, staff_client, mail_server, database) -> str:
    """Offer the freed slot, accept the first mail's offer; return the reference that took it."""
    offer_from_staff(staff_client("caseworker"))
    app.test_cli_runner().invoke(args=["mail", "deliver", "--all"])
    mail = mail_server.messages[0].get_payload(decode=True).decode()
    link = re.search(r"(/de/appointments/offer/\S+)", mail).group(1)
    taker = app.test_client()
    taker.post(link, data={"csrf_token": csrf_token(taker, link)})
    with database() as session:
        return session.scalars(select(Appointment.reference).join(Offer, Offer.appointment_id == Appointment.id)
                               .where(Offer.state == "accepted")).one()


def import_row(app, csv_file, reference: str, day: date, clock: str = "09:30"):
    from portal_plugins.appointments.importer import import_appointments

    row = (f"{reference};{BIRTHS[reference].isoformat()};residence-permit-extension;scheduled;{day.isoformat()};"
           f"{clock};Wacker Hof;2.14;1")
    with app.app_context():
        report = import_appointments(csv_file(row))
    assert not report.errors


def stored(database, reference: str) -> tuple:
    with database() as session:
        appointment = session.scalars(select(Appointment).filter_by(reference=reference)).one()
        return appointment.starts_at, session.get(PendingMove, appointment.id) is not None


def test_an_accepted_slot_moves_the_appointment_until_an_import_shows_the_move(
        app, client, freed_slot_and_list, staff_client, database, mail_server, open_result, csv_file):
    with database() as session:
        slot_start = session.scalars(select(FreedSlot.starts_at)).one()
        # Every client on the list has the same date, 60 days ahead.
        old_start = session.scalars(select(Appointment.starts_at).filter_by(reference="M-200001")).one()
    taker = accept_first_offer(app, staff_client, mail_server, database)
    # At once: the result page shows the slot as the appointment's date, and the old date is free for others.
    assert stored(database, taker) == (slot_start, True)
    html, _token = open_result(client, reference=taker, birth_date=BIRTHS[taker])
    assert f'datetime="{slot_start.astimezone(BERLIN).isoformat(timespec="minutes")}"' in html
    assert "Ihr bisheriger Termin gilt nicht mehr." in html
    with database() as session:
        assert session.scalars(select(FreedSlot.starts_at).filter_by(freed_reference=taker)).all() == [old_start]
    # An export made before the specialist system moved it still shows the old date: the move stays.
    old_day = old_start.astimezone(BERLIN).date()
    import_row(app, csv_file, taker, old_day)
    assert stored(database, taker) == (slot_start, True)
    # Once an export shows the move, the specialist system has it: the portal's own record of it ends.
    local_slot = slot_start.astimezone(BERLIN)
    import_row(app, csv_file, taker, local_slot.date(), local_slot.strftime("%H:%M"))
    assert stored(database, taker) == (slot_start, False)


def test_an_import_with_another_date_ends_a_move(app, freed_slot_and_list, staff_client, database, mail_server,
                                                 csv_file):
    taker = accept_first_offer(app, staff_client, mail_server, database)
    other_day = datetime.now(BERLIN).date() + timedelta(days=20)
    import_row(app, csv_file, taker, other_day)
    starts_at, pending = stored(database, taker)
    assert starts_at.astimezone(BERLIN).date() == other_day and not pending


def test_offer_mails_name_the_office_the_reference_and_why_and_the_page_the_appointment(
        app, client, freed_slot_and_list, staff_client, mail_server):
    offer_from_staff(staff_client("caseworker"))
    app.test_cli_runner().invoke(args=["mail", "deliver", "--all"])
    office = app.config["PORTAL"]["office"]["name"]
    mails = {mail["X-Envelope-To"]: mail.get_payload(decode=True).decode() for mail in mail_server.messages}
    offered = mails["b@example.org"]
    assert f"Beim \u2068{office}\u2069 ist ein früherer Termin frei geworden: " in offered
    assert "Vorgangsnummer: \u2068M-200002\u2069" in offered and "Vorgangsnummer: \u2068M-200001\u2069" in mails[
        "a@example.org"]
    assert "weil Sie sich im Portal des Amts für kurzfristige Termine gemeldet haben." in offered
    assert offered.index("gemeldet haben") < offered.index("/de/appointments/offer/")
    # The offer's page names the appointment it would move: the client's date still, before accepting.
    link = re.search(r"(/de/appointments/offer/\S+)", offered).group(1)
    page = client.get(link).get_data(as_text=True)
    about = page[page.index("Ihr jetziger Termin:"):page.index("<form")]
    assert "M-200002" in about and "09:30" in about
    client.post(link, data={"csrf_token": csrf_token(client, link)})
    after = client.get(link).get_data(as_text=True)
    assert "M-200002" in after[after.index("Ihr jetziger Termin:"):] and "08:00" in after
    # The other client learns it is gone, in a mail that says as much about itself.
    app.test_cli_runner().invoke(args=["mail", "deliver", "--all"])
    gone = next(mail for mail in mail_server.messages if "schon vergeben" in mail["Subject"])
    text = gone.get_payload(decode=True).decode()
    assert gone["X-Envelope-To"] == "a@example.org"
    assert f"den früheren Termin (\u2068{office}\u2069) schneller angenommen" in text
    assert "Vorgangsnummer: \u2068M-200001\u2069" in text and "für kurzfristige Termine gemeldet haben" in text


def test_giving_the_date_back_or_leaving_the_list_ends_an_open_offer_and_no_date_is_freed_twice(
        app, client, freed_slot_and_list, staff_client, database, mail_server, open_result, act):
    offer_from_staff(staff_client("caseworker"))
    app.test_cli_runner().invoke(args=["mail", "deliver", "--all"])
    links = {mail["X-Envelope-To"]: re.search(r"(/de/appointments/offer/\S+)", mail.get_payload(decode=True).decode())
             .group(1) for mail in mail_server.messages}
    # M-200002 gives their date back, M-200001 leaves the list: neither offer can be taken any more.
    _html, token = open_result(client, reference="M-200002", birth_date=BIRTHS["M-200002"])
    assert act(client, "cancel", token, wants_new_date="no").status_code == 200
    _html, token = open_result(client, reference="M-200001", birth_date=BIRTHS["M-200001"])
    assert act(client, "leave-list", token).status_code == 200
    for address in ("b@example.org", "a@example.org"):
        visitor = app.test_client()
        page = visitor.get(links[address]).get_data(as_text=True)
        assert "Termin annehmen" not in page and "Dieses Angebot gilt nicht mehr." in page
        # The page's form, sent from a tab opened before, takes nothing.
        answer = visitor.post(links[address], data={"csrf_token": csrf_token(visitor, "/de/appointments/")},
                              follow_redirects=True).get_data(as_text=True)
        assert "Dieses Angebot gilt nicht mehr." in answer and "gehört Ihnen" not in answer
        # The date given back does not "stay"; the one of the client who left the list does.
        assert ("Ihr bisheriger Termin bleibt" in answer) == (address == "a@example.org")
    with database() as session:
        assert session.scalar(select(FreedSlot.taken_by_offer_id).filter_by(freed_reference="M-100001")) is None
        states = dict(session.execute(select(Appointment.reference, Offer.state)
                                      .join(Offer, Offer.appointment_id == Appointment.id)).all())
        assert (states["M-200001"], states["M-200002"], states["M-200003"]) == ("gone", "gone", "open")
        # M-200002's date is freed once, however often it is given back.
        assert session.scalars(select(FreedSlot.freed_reference)).all().count("M-200002") == 1
    _html, token = open_result(client, reference="M-200002", birth_date=BIRTHS["M-200002"])
    act(client, "cancel", token, wants_new_date="yes")
    with database() as session:
        assert session.scalars(select(FreedSlot.freed_reference)).all().count("M-200002") == 1


def test_a_postponed_client_is_offered_a_date_not_an_earlier_one(app, client, add_appointment, staff_client,
                                                                 database, mail_server, open_result, act):
    add_appointment("M-100001", days=1, clock=time(8, 0))
    add_appointment("M-300001", date(1979, 5, 5), days=None, status="postponed")
    _html, token = open_result(client)
    act(client, "cancel", token, wants_new_date="no")
    _html, token = open_result(client, reference="M-300001", birth_date=date(1979, 5, 5))
    assert act(client, "short-notice", token, email="p@example.org").status_code == 200
    offer_from_staff(staff_client("caseworker"))
    app.test_cli_runner().invoke(args=["mail", "deliver", "--all"])
    (mail,) = mail_server.messages
    body = mail.get_payload(decode=True).decode()
    assert str(make_header(decode_header(mail["Subject"]))) == "Termin frei: Möchten Sie ihn?"
    assert "ist ein Termin frei geworden" in body and "früher" not in body and "bisheriger" not in body
    assert "Wenn Sie nichts tun, bleiben Sie auf der Liste für kurzfristige Termine." in body
    result, _token = open_result(client, reference="M-300001", birth_date=date(1979, 5, 5))
    assert "Ein Termin ist frei geworden: " in result and "Ein früherer Termin" not in result
    link = re.search(r"(/de/appointments/offer/\S+)", body).group(1)
    page = client.get(link).get_data(as_text=True)
    assert "<h1>Freier Termin</h1>" in page and "Ihr Anliegen:" in page and "bisheriger" not in page
    answer = client.post(link, data={"csrf_token": csrf_token(client, link)}, follow_redirects=True)
    said = answer.get_data(as_text=True)
    assert "Der Termin gehört Ihnen: " in said and "bisheriger Termin" not in said


def test_staff_offering_a_slot_again_are_told_it_is_on_offer(freed_slot_and_list, staff_client):
    staff = staff_client("caseworker")
    offer_from_staff(staff)
    again = offer_from_staff(staff)
    page = staff.get(again.headers["Location"]).get_data(as_text=True)
    assert "Dieser Termin ist schon angeboten" in page and "Niemand auf der Liste passt" not in page


def test_an_offer_left_open_for_a_date_given_back_takes_nothing(app, client, freed_slot_and_list, staff_client,
                                                               database, open_result):
    offer_from_staff(staff_client("caseworker"))
    with database() as session:
        offer_id, appointment_id = session.execute(select(Offer.id, Offer.appointment_id).join(
            Appointment, Appointment.id == Offer.appointment_id).where(Appointment.reference == "M-200002")).one()
    # Given back past the portal (an installation from before offers ended with it): the offer is still open.
    with app.test_request_context("/de/appointments/"):
        appointment = toolkit.session().get(Appointment, appointment_id)
        toolkit.session().add(FreedSlot(starts_at=appointment.starts_at, service=appointment.service,
                                        freed_reference="M-200002", created_at=toolkit.utcnow()))
        toolkit.session().commit()
        assert accept(toolkit.session().get(Offer, offer_id)) is False
        toolkit.session().commit()
    with database() as session:
        assert session.get(Offer, offer_id).state == "gone"
        assert session.scalar(select(FreedSlot.taken_by_offer_id).filter_by(freed_reference="M-100001")) is None
