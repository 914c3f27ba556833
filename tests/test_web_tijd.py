"""Times in the web UI: stored in UTC, shown in Europe/Amsterdam local time (issue 14, Dutch UI)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

pytest.importorskip("fastapi", reason="de web-extra is niet geïnstalleerd (pip install 'dossier[web]')")

from dossier.web import tijd


def test_summer_and_winter_times_are_shown_in_dutch_local_time() -> None:
    assert tijd.LABEL == ""  # Debian's tzdata is there: no "(UTC)" label
    # Summer time (CEST, UTC+2) and winter time (CET, UTC+1); a naive value from SQLite is UTC.
    assert tijd.lokaal(datetime(2026, 7, 1, 10, 5, tzinfo=UTC)) == "01-07-2026 12:05"
    assert tijd.lokaal(datetime(2026, 12, 2, 1, 31)) == "02-12-2026 02:31"
    # Across midnight and the clock change (last Sunday of October 2026: 01:00 UTC).
    assert tijd.lokaal(datetime(2026, 3, 31, 23, 30, tzinfo=UTC)) == "01-04-2026 01:30"
    assert tijd.lokaal(datetime(2026, 10, 25, 0, 59, 30, tzinfo=UTC), "%H:%M:%S") == "02:59:30"
    assert tijd.lokaal(datetime(2026, 10, 25, 1, 0, 30, tzinfo=UTC), "%H:%M:%S") == "02:00:30"
    assert tijd.lokaal(None) == ""


def test_the_page_filter_uses_local_time_and_falls_back_to_labelled_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    from dossier.web.pages import templates

    page = templates.env.from_string("{{ t|tijd }}")
    assert page.render(t=datetime(2026, 12, 2, 1, 31, tzinfo=UTC)) == "02-12-2026 02:31"
    monkeypatch.setattr(tijd, "ZONE", UTC)
    monkeypatch.setattr(tijd, "LABEL", " (UTC)")
    assert page.render(t=datetime(2026, 12, 2, 1, 31, tzinfo=UTC)) == "02-12-2026 01:31 (UTC)"


def test_a_missing_time_zone_database_falls_back_to_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    import zoneinfo

    def missing(name: str) -> None:
        raise zoneinfo.ZoneInfoNotFoundError(name)

    monkeypatch.setattr(zoneinfo, "ZoneInfo", missing)
    assert tijd._zone() == (UTC, " (UTC)")
