"""Pagination: one page of a query's rows, the number read from ``?page=``, and a macro linking the neighbours."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask import abort, request
from sqlalchemy import Select

from .db import session

# Beyond this the offset would overflow a database integer; no list of the portal is that long.
LAST_PAGE = 10_000_000


@dataclass(frozen=True)
class Page:
    """One page of rows; `keep` holds the query parameters (filters) the links to other pages repeat."""

    items: list
    number: int
    has_next: bool
    keep: Mapping[str, str] = field(default_factory=dict)

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def paginate(query: Select, per_page: int, keep: Mapping[str, str] | None = None) -> Page:
    """Return the page of query's rows that ``?page=`` asks for; a page that is not there answers 404."""
    # None when the value is no number or one beyond the database's range: a page that cannot be there.
    number = request.args.get("page", type=int) if "page" in request.args else 1
    if number is None or not 1 <= number <= LAST_PAGE:
        abort(404)
    rows = session().scalars(query.limit(per_page + 1).offset((number - 1) * per_page)).all()
    if number > 1 and not rows:
        abort(404)
    return Page(items=rows[:per_page], number=number, has_next=len(rows) > per_page,
                keep={key: value for key, value in (keep or {}).items() if value not in (None, "")})
