"""Settings of the notices plugin: how many notices the list, the home page and the feeds show."""

from pydantic import NonNegativeInt, PositiveInt

from portal import toolkit


class NoticesSettings(toolkit.PluginSettings):
    page_size: PositiveInt = 10
    """Notices per page of the public list."""
    home_count: NonNegativeInt = 3
    """Current notices shown on the home page; 0 shows none."""
    feed_size: PositiveInt = 20
    """Entries in each language's Atom feed."""
