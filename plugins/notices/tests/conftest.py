from datetime import timedelta

import pytest
from portal_plugins.notices.models import Notice, NoticeText

from portal.testing import utcnow


@pytest.fixture(scope="session")
def portal_config():
    return {"plugins": ["notices"]}


@pytest.fixture
def make_notice(app):
    """Return a factory of notices: make_notice({"de": ("Titel", "Text")}, priority=..., starts=..., ends=...)."""
    def make(texts: dict | None = None, *, priority: str = "normal", state: str = "published",
             starts: timedelta = timedelta(hours=-1), ends: timedelta | None = None,
             category: str = "general") -> int:
        texts = texts or {"de": ("Hinweis", "Ein Hinweis.")}
        now = utcnow()
        with app.app_context():
            session = app.extensions["portal.db"].session
            notice = Notice(category=category, priority=priority, state=state, starts_at=now + starts,
                            ends_at=now + ends if ends is not None else None,
                            texts=[NoticeText(lang=lang, title=title, body=body)
                                   for lang, (title, body) in texts.items()])
            session.add(notice)
            session.commit()
            return notice.id

    return make


@pytest.fixture
def load(app):
    """Return a function that reads fresh rows in a short app context: load(Model, id) or load(select)."""
    def read(what, ident=None):
        with app.app_context():
            session = app.extensions["portal.db"].session
            if ident is not None:
                return session.get(what, ident)
            return session.scalars(what).all()

    return read
