"""Times shown in the web UI: stored in UTC, shown in Dutch local time (Europe/Amsterdam).

If the time-zone database is missing (no tzdata), times are shown in UTC and labelled so, rather
than failing a page.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

ZONE_NAME = "Europe/Amsterdam"


def _zone() -> tuple[tzinfo, str]:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(ZONE_NAME), ""
    except Exception:  # ZoneInfoNotFoundError, or no zoneinfo data at all
        return UTC, " (UTC)"


ZONE, LABEL = _zone()


def lokaal(when: datetime | None, fmt: str = "%d-%m-%Y %H:%M") -> str:
    """``when`` (UTC; a naive value is taken as UTC, as SQLite returns it) as local time text; the
    fallback zone adds " (UTC)"."""
    if when is None:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(ZONE).strftime(fmt) + LABEL
