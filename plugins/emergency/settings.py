"""Settings of the emergency plugin: retention, the recipient and the delivery attempts."""

from pydantic import PositiveInt

from portal import toolkit


class EmergencySettings(toolkit.PluginSettings):
    retention_days: PositiveInt = 30
    """Days after which a request is deleted, whatever its state."""
    recipient: toolkit.EmailSetting = ""
    """Where requests are mailed; empty: office.emergency_email."""
    retry_base_seconds: PositiveInt = 60
    """First wait after a failed delivery; waits double from here."""
    retry_max_seconds: PositiveInt = 3600
    """Longest wait between delivery attempts."""
    max_attempts: PositiveInt = 20
    """Delivery attempts before a request is given up and shown as failed in the inbox."""
