"""Which notices visitors see, and each notice in the visitor's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, or_, select

from portal import toolkit

from .models import Notice, NoticeText


@dataclass(frozen=True)
class LocalizedNotice:
    """A notice with the text chosen for the visitor, the language that text is in, and why if not theirs."""

    notice: Notice
    text: NoticeText
    lang: str
    is_fallback: bool
    # The visitor's language has a text, made for source words changed since: it is being brought up to date.
    is_being_updated: bool = False


def visible_query(now: datetime) -> Select:
    """Select published notices inside their window, newest first."""
    return (select(Notice)
            .where(Notice.state == "published", Notice.starts_at <= now,
                   or_(Notice.ends_at.is_(None), Notice.ends_at > now))
            .order_by(Notice.starts_at.desc(), Notice.id.desc()))


def localize(notice: Notice, lang: str | None = None) -> LocalizedNotice | None:
    """Pick the notice's text for the visitor's language, falling back along the configured chain."""
    found = toolkit.pick_translation(notice.current_texts(), lang)
    if found is None:
        return None
    return LocalizedNotice(notice, found.value, found.lang, found.is_fallback,
                           found.requested in notice.outdated_languages())


def localize_all(notices) -> list[LocalizedNotice]:
    """Localize several notices, leaving out those with no text in any language of the chain."""
    return [item for item in (localize(notice) for notice in notices) if item is not None]


@dataclass(frozen=True)
class KeptText:
    """A notice's text in one language, as plain data kept between requests."""

    lang: str
    title: str
    body: str


@dataclass(frozen=True)
class KeptNotice:
    """A published notice as plain data, kept between requests until the content changes."""

    id: int
    category: str
    priority: str
    starts_at: datetime
    ends_at: datetime | None
    texts: dict[str, KeptText]
    outdated: frozenset[str]

    def current_texts(self) -> dict[str, KeptText]:
        """Return the texts visitors may read, keyed by language code (outdated translations left out)."""
        return self.texts

    def outdated_languages(self) -> frozenset[str]:
        """Return the languages whose translation was made for source words changed since."""
        return self.outdated

    def is_visible(self, now: datetime) -> bool:
        """Tell whether visitors see the notice at this moment."""
        return self.starts_at <= now and (self.ends_at is None or now < self.ends_at)


@toolkit.content_cached(per_language=False)
def published_notices() -> tuple[KeptNotice, ...]:
    """Return the published notices not ended yet, newest first: one query per content version and process.

    Their windows are checked at each request (visible_now), so a notice still appears at its start.
    """
    now = toolkit.utcnow()
    query = (select(Notice).where(Notice.state == "published", or_(Notice.ends_at.is_(None), Notice.ends_at > now))
             .order_by(Notice.starts_at.desc(), Notice.id.desc()))
    return tuple(KeptNotice(notice.id, notice.category, notice.priority, notice.starts_at, notice.ends_at,
                            {lang: KeptText(lang, text.title, text.body)
                             for lang, text in notice.current_texts().items()},
                            frozenset(notice.outdated_languages()))
                 for notice in toolkit.session().scalars(query))


def visible_now(now: datetime, *, limit: int | None = None, priority: str | None = None) -> list[KeptNotice]:
    """Return the kept notices visitors see now, newest first, without asking the database."""
    shown = [notice for notice in published_notices()
             if notice.is_visible(now) and (priority is None or notice.priority == priority)]
    return shown if limit is None else shown[:limit]


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
