"""Volunteer language mediators: the interpreters' duty page answered by the waiting room, "I'm helping", the desk."""

import re
from datetime import timedelta

import pytest
from lxml import html

from portal import toolkit
from portal.testing import audit_log, csrf_token

pytestmark = pytest.mark.portal_config({"plugins": ["arrival", "queue", "interpreters"]})
DUTY = "/de/staff/interpreters/duty/"
DESK = "/de/staff/queue/desk/raum-2-14"


def test_a_mediator_sees_who_needs_their_language_and_says_i_am_helping(staff_client, issue, stored):
    ticket_id, _token, label = issue(interpreter_language="ar")
    _other, _token2, other_label = issue(interpreter_language="fa")
    _none, _token3, plain_label = issue()
    mediator = staff_client("mediator")
    page = mediator.get(f"{DUTY}?language=ar").get_data(as_text=True)
    assert label in page and other_label not in page and plain_label not in page
    assert "Ich helfe" in page
    # Without a choice, every language that is needed.
    everything = mediator.get(DUTY).get_data(as_text=True)
    assert label in everything and other_label in everything and plain_label not in everything
    version = stored(ticket_id)["version"]
    response = mediator.post(f"/de/staff/queue/mediation/ticket/{ticket_id}/help",
                             data={"csrf_token": csrf_token(mediator, DUTY), "next": f"{DUTY}?language=ar"})
    # Back at the ticket's entry (where the keyboard goes on from), with a confirmation.
    assert response.status_code == 302 and response.headers["Location"] == f"{DUTY}?language=ar#queue-duty-{ticket_id}"
    assert f'id="queue-duty-{ticket_id}"' in mediator.get(DUTY).get_data(as_text=True)
    after = stored(ticket_id)
    assert after["mediator_name"] == "Test mediator"
    assert after["version"] == version  # the desk's open page stays valid
    assert "Sie helfen hier." in mediator.get(f"{DUTY}?language=ar").get_data(as_text=True)
    desk = staff_client("caseworker")
    assert "Test mediator hilft" in desk.get(DESK).get_data(as_text=True)
    # The desk calls the client: the mediator still sees them, now with the place.
    desk.post(f"{DESK}/next", data={"csrf_token": csrf_token(desk, DESK)})
    desk_page = desk.get(DESK).get_data(as_text=True)
    assert label in desk_page and "Test mediator hilft" in desk_page
    # In Arabic the room is written as on every other page, not as the desk's German name.
    arabic = mediator.get("/ar/staff/interpreters/duty/").get_data(as_text=True)
    assert "الغرفة 2.14" in arabic and "Raum 2.14" not in arabic
    stop = mediator.post(f"/de/staff/queue/mediation/ticket/{ticket_id}/stop",
                         data={"csrf_token": csrf_token(mediator, DUTY), "next": DUTY}, follow_redirects=True)
    assert f"Die Plätze sehen jetzt, dass Sie bei {label} nicht mehr helfen." in stop.get_data(as_text=True)


def test_of_two_mediators_saying_i_am_helping_at_once_the_second_is_told(staff_client, issue, stored,
                                                                         twice_at_once):
    from portal_plugins.queue import mediation

    ticket_id, _token, _label = issue(interpreter_language="ar")
    first, second = staff_client("mediator"), staff_client("mediator")
    tokens = [csrf_token(mediator, DUTY) for mediator in (first, second)]
    help_url = f"/de/staff/queue/mediation/ticket/{ticket_id}/help"
    # The first is held after its write and before its commit, where the second would otherwise read no helper yet.
    _overlapped, one, other = twice_at_once(
        mediation.toolkit, "bump",
        lambda: first.post(help_url, data={"csrf_token": tokens[0], "next": DUTY}, follow_redirects=True),
        lambda: second.post(help_url, data={"csrf_token": tokens[1], "next": DUTY}, follow_redirects=True))
    assert "Die Plätze sehen jetzt, dass Sie bei" in one.get_data(as_text=True)
    assert "Bei dieser Nummer hilft schon" in other.get_data(as_text=True)
    assert "hilft schon" not in first.get(DUTY).get_data(as_text=True)


def test_only_the_helper_may_stop_and_a_second_mediator_is_told(staff_client, issue, stored):
    ticket_id, _token, _label = issue(interpreter_language="ar")
    first, second = staff_client("mediator"), staff_client("mediator")
    help_url = f"/de/staff/queue/mediation/ticket/{ticket_id}"
    first.post(f"{help_url}/help", data={"csrf_token": csrf_token(first, DUTY), "next": DUTY})
    second.post(f"{help_url}/help", data={"csrf_token": csrf_token(second, DUTY), "next": DUTY})
    assert "hilft schon" in second.get(DUTY).get_data(as_text=True)
    assert second.post(f"{help_url}/stop", data={"csrf_token": csrf_token(second, DUTY)}).status_code == 403
    first.post(f"{help_url}/stop", data={"csrf_token": csrf_token(first, DUTY), "next": "//evil.example/"})
    assert stored(ticket_id)["mediator_name"] == ""
    stopped, helped = [entry.what for entry in audit_log(staff_client("admin"), "en")[:2]]
    assert stopped == f"Language mediation ended {ticket_id}" and helped == f"Language mediation taken on {ticket_id}"


def test_mediators_reach_their_page_only_and_others_not_theirs(staff_client, issue):
    ticket_id, _token, _label = issue(interpreter_language="ar")
    mediator = staff_client("mediator")
    assert mediator.get(DESK).status_code == 403
    assert staff_client("caseworker").get(DUTY).status_code == 403
    door = staff_client("door")
    assert door.post(f"/de/staff/queue/mediation/ticket/{ticket_id}/help",
                     data={"csrf_token": csrf_token(door, "/de/staff/")}).status_code == 403
    assert mediator.post(f"/de/staff/queue/mediation/ticket/{ticket_id}/help").status_code == 400  # no token


def test_the_duty_page_shows_the_choice_of_languages(staff_client, issue):
    issue(interpreter_language="ar", urgent=True)
    page = staff_client("mediator").get(DUTY).get_data(as_text=True)
    assert "Sprachmittlung im Wartebereich" in page and "Meine Sprachen" in page
    # The language a number needs, as the page's language names it and, marked as such, as its speakers do.
    assert re.search(r'· Arabisch \(<span lang="ar" dir="rtl">العربية</span>\) · dringend', page)


def test_the_duty_page_marks_the_name_of_a_desk_without_a_room_as_the_source_language_s(staff_client, issue,
                                                                                        call_next):
    issue("service-point", interpreter_language="uk")
    call_next("service-point-1")
    page = staff_client("mediator").get("/uk/staff/interpreters/duty/").get_data(as_text=True)
    assert '<span lang="de" dir="ltr">Service Point, Schalter 1</span>' in page


def entry(page: str, ticket_id: int) -> str:
    """Return the words of a number's entry on the duty list."""
    found = html.fromstring(page).get_element_by_id(f"queue-duty-{ticket_id}")
    return " ".join(found.text_content().split())


def test_the_duty_page_says_how_long_a_transferred_client_has_been_in_the_building(app, staff_client, issue,
                                                                                   send_on):
    now = toolkit.utcnow()
    with app.app_context():
        today = toolkit.office_today()  # the earlier ticket on today's list also just after midnight
    first = issue("service-point", now=now - timedelta(minutes=90), interpreter_language="ar")[0]
    sent_on_id = send_on(first, "queue:termine", now, "service-point-1")[0]
    plain_id = issue(now=now - timedelta(minutes=30), day=today, interpreter_language="ar")[0]
    mediator = staff_client("mediator")
    page = mediator.get(DUTY).get_data(as_text=True)
    live_url = re.search(r'data-queue-live-url="([^"]+)"', page).group(1).replace("&amp;", "&")
    for shown in (page, mediator.get(live_url, headers={"Portal-Poll": "1"}).get_data(as_text=True)):
        assert "Termine · wartet seit 0 Minuten · seit 90 Minuten im Haus" in entry(shown, sent_on_id)
        assert "Termine · wartet seit 30 Minuten" in entry(shown, plain_id) and "im Haus" not in entry(shown, plain_id)


@pytest.mark.parametrize(("count", "heading"), [
    (0, "لا يوجد رقم يحتاج إلى وساطة لغوية (0)"),
    (1, "رقم واحد (1) يحتاج إلى وساطة لغوية"),
    (2, "رقمان (2) يحتاجان إلى وساطة لغوية"),
    (3, "3 أرقام تحتاج إلى وساطة لغوية"),
    (11, "11 رقمًا يحتاج إلى وساطة لغوية"),
])
def test_the_arabic_duty_page_counts_in_the_form_its_number_needs(staff_client, issue, count, heading):
    for _number in range(count):
        issue(interpreter_language="ar")
    page = staff_client("mediator").get("/ar/staff/interpreters/duty/").get_data(as_text=True)
    assert re.search(r'<h2 id="queue-duty-title">(.*?)</h2>', page).group(1) == heading


def test_the_duty_list_is_polled_with_304_until_the_location_changes(staff_client, issue):
    _id, _token, label = issue(interpreter_language="ar")
    mediator = staff_client("mediator")
    page = mediator.get(f"{DUTY}?language=ar").get_data(as_text=True)
    live_url = re.search(r'data-queue-live-url="([^"]+)"', page).group(1).replace("&amp;", "&")
    first = mediator.get(live_url, headers={"Portal-Poll": "1"})
    assert first.status_code == 200 and label in first.get_data(as_text=True)
    assert mediator.get(live_url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    _other, _token2, other_label = issue(interpreter_language="ar")
    again = mediator.get(live_url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and other_label in again.get_data(as_text=True)
    assert staff_client("caseworker").get(live_url).status_code == 403
