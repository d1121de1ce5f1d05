"""The volunteer language mediators' duty page (role mediator): who waits needing their languages, "I'm helping".

The page names the mediator's languages and location in its address (a form
sent with GET: nothing is stored about the mediator) and offers the slot
``interpreters.duty``. A waiting room plugin answers it with the numbers that
need one of the languages and the buttons to say "I'm helping"; this plugin
knows nothing of tickets.
"""

from __future__ import annotations

from flask import render_template, request

from portal import toolkit

from .languages import name_in_page_language

duty = toolkit.staff_blueprint("interpreters", __name__, role="mediator", section="duty")


def _language_choices() -> list[tuple[str, str]]:
    return [(code, name_in_page_language(code)) for code in toolkit.languages_besides_source()]


@duty.get("/")
def index():
    """Show who waits needing one of the chosen languages at the chosen location."""
    choices = _language_choices()
    offered = {code for code, _name in choices}
    languages = tuple(code for code in request.args.getlist("language") if code in offered)
    locations = toolkit.portal_settings()["office"]["locations"]
    location = request.args.get("location", "")
    if location not in locations:
        location = locations[0] if locations else ""
    return render_template("interpreters/staff/duty.html", choices=choices, languages=languages,
                           locations=locations, location=location, return_to=toolkit.current_path())
