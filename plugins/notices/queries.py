"""Which notices visitors see, and each notice in the visitor's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, or_, select

from portal import toolkit

from .models import Notice, NoticeText


@dataclass(frozen=True)
class LocalizedNotice:
    """A notice with the text chosen for the visitor, and the language that text is in."""

    notice: Notice
    text: NoticeText
    lang: str
    is_fallback: bool


def visible_query(now: datetime) -> Select:
    """Select published notices inside their window, newest first."""
    return (select(Notice)
            .where(Notice.state == "published", Notice.starts_at <= now,
                   or_(Notice.ends_at.is_(None), Notice.ends_at > now))
            .order_by(Notice.starts_at.desc(), Notice.id.desc()))


def localize(notice: Notice, lang: str | None = None) -> LocalizedNotice | None:
    """Pick the notice's text for the visitor's language, falling back along the configured chain."""
    texts = notice.text_by_language()
    found = toolkit.pick_translation(texts, lang)
    required = toolkit.portal_settings()["default_language"]
    if found is None and required in texts:
        # The required language may be missing from a municipality's fallback chain; never hide a notice for that.
        found = toolkit.Translated(required, texts[required], lang or toolkit.current_language())
    if found is None:
        return None
    return LocalizedNotice(notice, found.value, found.lang, found.is_fallback)


def localize_all(notices) -> list[LocalizedNotice]:
    """Localize several notices, leaving out those with no text in any language of the chain."""
    return [item for item in (localize(notice) for notice in notices) if item is not None]


def visible_notices(now: datetime, *, limit: int | None = None, priority: str | None = None):
    """Return the notices visitors see now, newest first."""
    query = visible_query(now)
    if priority:
        query = query.where(Notice.priority == priority)
    if limit is not None:
        query = query.limit(limit)
    return toolkit.session().scalars(query).all()


def visible_notice(notice_id: int, now: datetime) -> Notice | None:
    """Return one notice if visitors may see it now."""
    return toolkit.session().scalars(visible_query(now).where(Notice.id == notice_id)).first()


def translation_counts() -> tuple[dict[str, int], int]:
    """Return how many published notices have a text in each language, and how many there are."""
    session = toolkit.session()
    published = select(Notice.id).where(Notice.state == "published")
    rows = session.execute(select(NoticeText.lang, func.count()).where(NoticeText.notice_id.in_(published))
                           .group_by(NoticeText.lang)).all()
    total = session.scalar(select(func.count()).select_from(Notice).where(Notice.state == "published"))
    return {lang: count for lang, count in rows}, total
