"""Settings of the waiting room: the queues of each location and the desks that call from them."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, PositiveInt, ValidationInfo, model_validator

from portal import toolkit

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")]
# A service group as the arrival plugin writes it, or '*' for every group no other queue of the office takes.
ServiceGroup = Annotated[str, Field(pattern=r"^(\*|[a-z0-9-]{1,40})$")]


class QueueSetting(BaseModel):
    """One queue: where it is, whom it takes and in which order its tickets are called."""

    model_config = ConfigDict(extra="forbid")

    slug: Slug
    """Its name in addresses, the audit log and statistics, e.g. 'termine'."""
    kind: Literal["appointments", "service_point", "naturalisation"] = "appointments"
    """What it serves; gives the title when `title` is empty, and the Service Point takes walk-ins."""
    title: dict[str, str] = {}
    """Its title by language code; empty: the kind's translated title."""
    prefix: Annotated[str, Field(pattern=r"^[A-Z]{1,2}$")] = "A"
    """The letters before its waiting numbers ('A' gives 'A 023'); distinct per location."""
    location: str = ""
    """One of the office's `locations`; empty: the first (or the one place)."""
    service_groups: list[ServiceGroup] = []
    """The arrival plugin's service groups whose check-ins get a ticket here; '*' for all others."""
    order: Literal["window", "arrival"] = "window"
    """'window': by the start of the arrival window (early arrivals wait for it); 'arrival': first come first served."""
    recall_count: NonNegativeInt = 2
    """How often a desk may call a number again before it may mark the client as missed."""
    recall_gap_seconds: PositiveInt = 60
    """Seconds between two calls of one number, and between the last call and 'missed'."""


class DeskSetting(BaseModel):
    """One desk or room that calls clients from some queues of its location."""

    model_config = ConfigDict(extra="forbid")

    slug: Slug
    """Its name in addresses and the audit log, e.g. 'raum-2-14'."""
    name: str = Field(min_length=1, max_length=60)
    """What staff and clients read: 'Raum 2.14', 'Service Point, Schalter 1'."""
    room: str = Field(default="", max_length=20)
    """The room number the client is sent to ('2.14'); empty: the client is sent to `name`."""
    location: str = ""
    """One of the office's `locations`; empty: the first (or the one place)."""
    queues: list[Slug] = Field(min_length=1)
    """The queues it calls from, by slug; each in the desk's location."""


DEFAULT_QUEUES = [
    {"slug": "termine", "kind": "appointments", "prefix": "A", "service_groups": ["*"]},
    # The appointments plugin's services of the naturalisation team, as their passes carry them.
    {"slug": "einbuergerung", "kind": "naturalisation", "prefix": "E",
     "service_groups": ["naturalisation-application", "naturalisation-certificate-handover"]},
    {"slug": "service-point", "kind": "service_point", "prefix": "S", "order": "arrival", "recall_count": 1},
]
DEFAULT_DESKS = [
    {"slug": "raum-2-14", "name": "Raum 2.14", "room": "2.14", "queues": ["termine"]},
    {"slug": "raum-2-15", "name": "Raum 2.15", "room": "2.15", "queues": ["termine", "einbuergerung"]},
    {"slug": "raum-1-02", "name": "Raum 1.02", "room": "1.02", "queues": ["einbuergerung"]},
    {"slug": "service-point-1", "name": "Service Point, Schalter 1", "queues": ["service-point"]},
    {"slug": "service-point-2", "name": "Service Point, Schalter 2", "queues": ["service-point"]},
]


class QueueSettings(toolkit.PluginSettings):
    queues: list[QueueSetting] = Field(default_factory=lambda: [QueueSetting(**q) for q in DEFAULT_QUEUES])
    """The queues, per location; see docs/queue.md."""
    desks: list[DeskSetting] = Field(default_factory=lambda: [DeskSetting(**d) for d in DEFAULT_DESKS])
    """The desks and rooms that call clients, per location."""
    service_point_place: dict[str, str] = {}
    """Where clients find the Service Point, by language code ('de': 'Erdgeschoss, rechts vom Eingang'); a missed
    number's page sends the client there."""
    walk_ins: bool = False
    """Whether staff may issue Service Point tickets to clients without an appointment."""
    default_service_minutes: PositiveInt = 10
    """Minutes one client takes at a desk, for the expected wait until the day has enough finished tickets."""
    retention_days: PositiveInt = 30
    """Days after their day before tickets (times and numbers, for statistics) are deleted."""

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo):
        locations = list((info.context or {}).get("portal", {}).get("office", {}).get("locations", []))
        known = {""} | set(locations)
        for kind, items in (("queue", self.queues), ("desk", self.desks)):
            slugs = [item.slug for item in items]
            if len(set(slugs)) != len(slugs):
                raise ValueError(f"names a {kind} slug twice")
            for item in items:
                if item.location not in known:
                    raise ValueError(f"{kind} '{item.slug}' is at '{item.location}', which is not in office.locations")
        if not self.queues:
            raise ValueError("needs at least one queue")
        place = {queue.slug: queue.location or (locations[0] if locations else "") for queue in self.queues}
        prefixes = [(place[queue.slug], queue.prefix) for queue in self.queues]
        if len(set(prefixes)) != len(prefixes):
            raise ValueError("gives two queues of one location the same prefix")
        groups = [group for queue in self.queues for group in queue.service_groups]
        for group in sorted({group for group in groups if groups.count(group) > 1}):
            raise ValueError(f"gives the service group '{group}' to more than one queue")
        for desk in self.desks:
            here = desk.location or (locations[0] if locations else "")
            for slug in desk.queues:
                if slug not in place:
                    raise ValueError(f"desk '{desk.slug}' calls from the unknown queue '{slug}'")
                if place[slug] != here:
                    raise ValueError(f"desk '{desk.slug}' calls from queue '{slug}' of another location")
        return self
