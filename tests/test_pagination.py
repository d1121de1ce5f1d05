"""The toolkit's pagination: one page of a query's rows, the page from ?page=, links that keep the filters."""

import pytest
from flask import render_template_string
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from portal import toolkit
from portal.staff.models import AuditEntry

LINKS = "{% from 'macros/pagination.html' import pagination %}{{ pagination(page, 'staff.audit_log') }}"


@pytest.fixture
def entries(data):
    """Store five audit entries; return the query listing them oldest first."""
    data(lambda session: session.add_all(AuditEntry(actor="test", action="update", target_type="note",
                                                    target_id=str(number)) for number in range(1, 6)))
    return select(AuditEntry).order_by(AuditEntry.id)


def page_of(app, query, url, **keep):
    with app.test_request_context(url):
        page = toolkit.paginate(query, 2, keep=keep)
        return page, render_template_string(LINKS, page=page)


def test_pages_hold_their_rows_and_link_their_neighbours_with_the_filters(app, entries):
    first, links = page_of(app, entries, "/de/staff/audit", action="update", empty="")
    assert [entry.target_id for entry in first.items] == ["1", "2"] and first.has_next and not first.has_previous
    assert 'href="/de/staff/audit?page=2&amp;action=update" rel="next"' in links and 'rel="prev"' not in links
    middle, links = page_of(app, entries, "/de/staff/audit?page=2", action="update")
    assert [entry.target_id for entry in middle.items] == ["3", "4"]
    assert 'href="/de/staff/audit?page=1&amp;action=update" rel="prev"' in links and 'rel="next"' in links
    last, links = page_of(app, entries, "/de/staff/audit?page=3")
    assert [entry.target_id for entry in last.items] == ["5"] and not last.has_next and 'rel="next"' not in links


@pytest.mark.parametrize("number", ["4", "0", "-1", str(10**20)])
def test_a_page_that_is_not_there_is_404(app, entries, number):
    with pytest.raises(NotFound):
        page_of(app, entries, f"/de/staff/audit?page={number}")


def test_one_page_needs_no_links_and_an_empty_list_is_one_page(app):
    page, links = page_of(app, select(AuditEntry), "/de/staff/audit")
    assert page.items == [] and not page.has_next and "pagination" not in links
