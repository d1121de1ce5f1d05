import pytest
from portal_plugins.queue import service
from portal_plugins.queue.models import Ticket

from portal import toolkit


@pytest.fixture(scope="session")
def portal_config():
    """The waiting room with the door it follows; the default queues and desks."""
    return {"plugins": ["arrival", "queue"]}


@pytest.fixture
def issue(data):
    """Return issue(queue_slug='termine', **fields): a waiting ticket issued now; gives (id, token, label)."""
    def make(queue_slug="termine", now=None, origin="check_in", **fields):
        def run(session):
            ticket = service.issue(service.find_queue(queue_slug), origin=origin, now=now or toolkit.utcnow(),
                                   **fields)
            return ticket.id, ticket.token, ticket.label

        return data(run)

    return make


@pytest.fixture
def stored(data):
    """Return stored(ticket_id): the ticket's columns as a dict, read afresh."""
    def read(ticket_id):
        def run(session):
            ticket = session.get(Ticket, ticket_id)
            return {column.key: getattr(ticket, column.key) for column in Ticket.__table__.columns}

        return data(run)

    return read


@pytest.fixture
def call_next(data):
    """Return call_next(desk_slug='raum-2-14'): the desk calls its next client, as its button does; gives the number."""
    def press(desk_slug="raum-2-14"):
        def run(session):
            ticket = service.call_next(service.find_desk(desk_slug), toolkit.utcnow())
            session.commit()
            return ticket.label

        return data(run)

    return press


@pytest.fixture
def send_on(data):
    """Return send_on(ticket_id, target, now, desk_slug): the desk calls the waiting ticket at `now` and sends it on to
    the target ('queue:<slug>' or 'desk:<slug>'); gives the successor's (id, token, label)."""
    def press(ticket_id, target, now, desk_slug):
        def run(session):
            ticket = session.get(Ticket, ticket_id)
            service.call(ticket, service.find_desk(desk_slug), now)
            successor = service.transfer(ticket, target, now)
            return successor.id, successor.token, successor.label

        return data(run)

    return press
