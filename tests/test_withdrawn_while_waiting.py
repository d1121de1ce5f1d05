"""Three plugins agree when an appointment ends while its client waits inside: the pass and the ticket."""

import re

import pytest
from sqlalchemy import text

from tests.support import check_in_at_the_door, import_todays_appointment, todays_result_page

PLUGINS = ["appointments", "arrival", "queue"]
ENDED = "deshalb gilt diese Wartenummer nicht mehr"


@pytest.mark.portal_config({"plugins": PLUGINS})
def test_a_client_whose_appointment_is_cancelled_while_waiting_leaves_the_queue(app, data, client, staff_client,
                                                                              tmp_path, today):
    export = import_todays_appointment(app, tmp_path, today)
    public_id = data(lambda s: s.scalar(text("SELECT public_id FROM arrival_pass")))
    assert "A 001" in check_in_at_the_door(staff_client("door"), public_id)
    ticket = data(lambda s: s.scalar(text("SELECT token FROM queue_ticket")))

    result = todays_result_page(client)
    pass_address = re.search(r'href="(/de/arrival/[^"]+)">Einlasskarte auf dem Telefon', result).group(1)
    # While the client waits, the specialist system's export says the appointment is cancelled.
    export.write_text(export.read_text().replace(";scheduled;", ";cancelled;"))
    assert app.test_cli_runner().invoke(args=["appointments", "import", str(export)]).exit_code == 0

    assert data(lambda s: s.scalar(text("SELECT state FROM queue_ticket"))) == "withdrawn"
    assert ENDED in client.get(f"/de/queue/t/{ticket}/live").get_data(as_text=True)
    pass_page = client.get(pass_address, follow_redirects=True).get_data(as_text=True)
    assert "gilt nicht mehr" in pass_page and ENDED in pass_page
