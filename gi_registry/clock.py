"""Today's date where the registry is: Asia/Shanghai, whatever the server's zone."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_today() -> date:
    """The calendar date in Boshan now."""
    return datetime.now(SHANGHAI).date()
