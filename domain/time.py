"""China Standard Time: the zone of every effective date (design.md, "Time")."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def today_in_china(now: datetime) -> date:
    """The calendar date in China at the moment `now` (an aware datetime)."""
    return now.astimezone(CHINA).date()
