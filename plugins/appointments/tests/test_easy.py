"""Checking an appointment in Leichte Sprache: the steps, and every answer explained under the name the result shows."""

import lxml.html
import pytest
from portal_plugins.appointments.statuses import STATUS_CODES

from portal.testing import assert_easy_to_read, easy_page_text


def test_every_status_is_explained_under_its_german_name(client):
    response = client.get("/en/appointments/leicht")
    page = lxml.html.fromstring(response.get_data(as_text=True))
    for code in STATUS_CODES:
        assert page.xpath(f"//*[@id='status-{code}']//p"), code
    assert page.xpath("//*[@id='status-postponed']//h3")[0].text_content().strip() == "Verschoben"
    assert "Klicken Sie dann auf den Knopf: Termin anzeigen." in easy_page_text(response.get_data(as_text=True))
    assert page.xpath("//main//a[@href='/en/appointments/']")
    assert_easy_to_read(response.get_data(as_text=True))


@pytest.mark.parametrize("status", ["scheduled", "postponed"])
def test_a_found_appointment_links_to_the_explanation_of_its_answer(client, add_appointment, open_result, status):
    add_appointment(status=status, days=3 if status == "scheduled" else None)
    html, _token = open_result(client, lang="ar")
    links = lxml.html.fromstring(html).xpath(f"//a[@href='/de/appointments/leicht#status-{status}']")
    assert links and links[0].get("hreflang") == "de"


def test_what_to_bring_names_the_letter_or_the_code_on_the_phone(client):
    response = client.get("/de/appointments/leicht")
    page = lxml.html.fromstring(response.get_data(as_text=True))
    for code in ("invited", "scheduled", "ready_for_collection"):
        text = " ".join(page.xpath(f"//*[@id='status-{code}']")[0].text_content().split())
        assert "Am Eingang zeigen Sie das Einladungs-Schreiben oder den Einlass-Code." in text, code
        assert "Dann reicht auch das Handy mit dem Einlass-Code." in text and "Ausweis" in text, code
    # The new hard word is explained in the list at the end.
    assert "Mit dem Einlass-Code kommen Sie am Eingang in das Amt." in easy_page_text(response.get_data(as_text=True))
