"""The door page for the security service: a pass scanned or a short code typed, and the verdict in big words."""

from __future__ import annotations

from flask import render_template, session
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from portal import toolkit
from portal.toolkit import _l

from .door import check_in
from .keys import keys_verifying_today
from .passes import public_id_text

staff = toolkit.staff_blueprint("arrival", __name__, role="door")
# The device label is kept in the staff session, so a door tablet names itself once per shift.
DEVICE_KEY = "arrival_device"


class DoorForm(FlaskForm):
    code = StringField(_l("Pass oder Kurzcode"), validators=[
        DataRequired(_l("Bitte scannen Sie den Pass oder tippen Sie den Kurzcode ein.")), Length(max=400)])
    device = StringField(_l("Gerät oder Eingang"), validators=[Length(max=80)])


@staff.route("/", methods=["GET", "POST"])
def door():
    """Check a pass at the door and check its holder in when it is valid now."""
    form = DoorForm()
    verdict = None
    if form.validate_on_submit():
        device = form.device.data.strip()
        session[DEVICE_KEY] = device
        verdict = check_in(form.code.data, keys_verifying_today(), toolkit.office_now(), device,
                           toolkit.current_staff().id)
        toolkit.session().commit()
        form.code.data = ""
    elif not form.is_submitted():
        form.device.data = session.get(DEVICE_KEY, "")
    verdict_public_id = public_id_text(verdict.facts.public_id) if verdict and verdict.facts else ""
    return render_template("arrival/staff/door.html", form=form, verdict=verdict,
                           verdict_public_id=verdict_public_id), 422 if form.errors else 200
