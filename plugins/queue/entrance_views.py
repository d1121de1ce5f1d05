"""The entrance's page of the waiting room: where walk-ins are accepted, the door issues Service Point tickets."""

from __future__ import annotations

from portal import toolkit

from .desk_views import walk_in, walk_in_ticket

# The same pages as the Service Point's, for the security service at the door, who sees no desk.
entrance = toolkit.staff_blueprint("queue", __name__, role="door", section="entrance")
entrance.add_url_rule("/service-point", "walk_in", walk_in, methods=["GET", "POST"])
entrance.add_url_rule("/service-point/<int:ticket_id>", "walk_in_ticket", walk_in_ticket)
