"""Working days: Saturdays, Sundays and the public holidays of the Algemene termijnenwet.

UWV's deadline for the 42nd-week report is "uiterlijk de eerste werkdag na de 42e ziekteweek"; the
project reads "werkdag" as a day that is not a Saturday, a Sunday or an algemeen erkende feestdag of
the Algemene termijnenwet (Atw, BWBR0002448) art. 3 lid 1, or Goede Vrijdag, which art. 3 lid 2
equates with them. The decisions and sources are in
``docs/regels.md``; the days are listed in :data:`VASTE_FEESTDAGEN` and :data:`PAASFEESTDAGEN`.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

from dateutil.easter import EASTER_WESTERN, easter

#: Where the list comes from: the text of art. 1 and 3 Atw (wetten.overheid.nl/BWBR0002448, quoted on
#: juridischwoordenboek.nl and staatsrechtpraktijk.nl); 5 mei was added in 1981 (nl.wikipedia.org,
#: Algemene termijnenwet). See docs/regels.md.
BRON = "Algemene termijnenwet art. 3 lid 1 en lid 2 (Goede Vrijdag) (BWBR0002448)"

#: Holidays on a fixed date (month, day), Atw art. 3 lid 1. De vijfde mei counts every year: the
#: article names "de vijfde mei" without the five-yearly rule that some cao's use for a day off.
VASTE_FEESTDAGEN: dict[str, tuple[int, int]] = {
    "Nieuwjaarsdag": (1, 1),
    "Bevrijdingsdag (5 mei)": (5, 5),
    "Eerste Kerstdag": (12, 25),
    "Tweede Kerstdag": (12, 26),
}

#: Holidays at a distance in days from Easter Sunday (Atw art. 3 lid 1), and Goede Vrijdag, which
#: art. 3 lid 2 equates with them (issue 13 said otherwise; the law wins: see docs/regels.md).
PAASFEESTDAGEN: dict[str, int] = {
    "Goede Vrijdag": -2,
    "Tweede Paasdag": 1,
    "Hemelvaartsdag": 39,
    "Tweede Pinksterdag": 50,
}

#: "De dag waarop de verjaardag van de Koning wordt gevierd": 27 April since 2014 (26 April when the
#: 27th is a Sunday); 30 April before (29 April when the 30th was a Sunday).
KONINGSDAG_SINDS = 2014
KONINGSDAG = (4, 27)
KONINGINNEDAG = (4, 30)

ZATERDAG = 5  # date.weekday(): Monday is 0


def koningsdag(year: int) -> date:
    """The day the King's (before 2014: the Queen's) birthday is celebrated in ``year``."""
    month, day = KONINGSDAG if year >= KONINGSDAG_SINDS else KONINGINNEDAG
    celebrated = date(year, month, day)
    return celebrated - timedelta(days=1) if celebrated.weekday() == 6 else celebrated


@functools.lru_cache(maxsize=512)
def feestdagen(year: int) -> dict[date, str]:
    """The Atw holidays of ``year`` (Goede Vrijdag included), date → Dutch name."""
    out = {date(year, month, day): name for name, (month, day) in VASTE_FEESTDAGEN.items()}
    pasen = easter(year, EASTER_WESTERN)
    out.update({pasen + timedelta(days=offset): name for name, offset in PAASFEESTDAGEN.items()})
    out[koningsdag(year)] = "Koningsdag" if year >= KONINGSDAG_SINDS else "Koninginnedag"
    return out


def is_werkdag(day: date) -> bool:
    """Not a Saturday, Sunday or Atw holiday."""
    return day.weekday() < ZATERDAG and day not in feestdagen(day.year)


def volgende_werkdag(day: date) -> date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_werkdag(day):
        day += timedelta(days=1)
    return day


def vorige_werkdag(day: date) -> date:
    """``day`` itself when it is a working day, else the last working day before it."""
    while not is_werkdag(day):
        day -= timedelta(days=1)
    return day
