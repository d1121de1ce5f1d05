"""Three plugins agree when an appointment ends while its client waits inside: the pass and the ticket."""

import re

import pytest
from sqlalchemy import text

from portal.testing import csrf_token

PLUGINS = ["appointments", "arrival", "queue"]
ENDED = "deshalb gilt diese Wartenummer nicht mehr"


@pytest.mark.portal_config({"plugins": PLUGINS})
def test_a_client_whose_appointment_is_cancelled_while_waiting_leaves_the_queue(app, data, client, staff_client,
                                                                              tmp_path, today):
    export = tmp_path / "export.csv"
    # At midnight: the arrival window opens with the day, so the door lets the client in at any hour of the run.
    export.write_text("reference;birth_date;service;status;date;time;building;room;persons\n"
                      f"M-100001;27.03.1985;eu-blue-card;scheduled;{today:%d.%m.%Y};00:00;Wacker Hof;1.07;1\n")
    assert app.test_cli_runner().invoke(args=["appointments", "import", str(export)]).exit_code == 0
    public_id = data(lambda s: s.scalar(text("SELECT public_id FROM arrival_pass")))
    door = staff_client("door")
    checked = door.post("/de/staff/arrival/", data={"csrf_token": csrf_token(door, "/de/staff/arrival/"),
                                                    "code": public_id[:12], "device": "Eingang"},
                        follow_redirects=True)
    assert "A 001" in checked.get_data(as_text=True)
    ticket = data(lambda s: s.scalar(text("SELECT token FROM queue_ticket")))

    result = client.post("/de/appointments/", follow_redirects=True, data={
        "csrf_token": csrf_token(client, "/de/appointments/"), "reference": "M-100001", "day": "27", "month": "3",
        "year": "1985"}).get_data(as_text=True)
    pass_address = re.search(r'href="(/de/arrival/[^"]+)">Einlasskarte auf dem Telefon', result).group(1)
    # While the client waits, the specialist system's export says the appointment is cancelled.
    export.write_text(export.read_text().replace(";scheduled;", ";cancelled;"))
    assert app.test_cli_runner().invoke(args=["appointments", "import", str(export)]).exit_code == 0

    assert data(lambda s: s.scalar(text("SELECT state FROM queue_ticket"))) == "withdrawn"
    assert ENDED in client.get(f"/de/queue/t/{ticket}/live").get_data(as_text=True)
    pass_page = client.get(pass_address, follow_redirects=True).get_data(as_text=True)
    assert "gilt nicht mehr" in pass_page and ENDED in pass_page
