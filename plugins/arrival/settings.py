"""Settings of the arrival plugin."""

from pydantic import NonNegativeInt, PositiveInt

from portal import toolkit


class ArrivalSettings(toolkit.PluginSettings):
    verify_days: PositiveInt = 180
    """Days a retired key still verifies passes: at least how far ahead appointments are given."""
    retention_days: PositiveInt = 30
    """Days after an appointment's day before its pass and check-in are deleted."""
    minutes_before: NonNegativeInt = 10
    """Minutes before an appointment's start from which its pass lets the client in."""
    minutes_after: PositiveInt = 30
    """Minutes after an appointment's start at which its arrival window, as printed on the pass, ends."""
