"""The werkvoorraad's filters: casemanager, werkgever, status, the archive and the order.

Closed cases (status ``hersteld`` or ``beeindigd``, see :data:`dossier.api.CASE_STATUSES`) form the
archive: hidden unless ``archief`` is asked for or a closed status is chosen. Everything runs on the
precomputed columns of the ``case`` table (werkgever and casemanager indexed), never on a timeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa

from dossier import api

STATUS_TEKST = {"open": "open", "hersteld": "hersteld", "beeindigd": "beëindigd"}
#: Orders of the list: key → Dutch label.
SORTERINGEN = {"termijn": "eerste termijn eerst", "termijn_af": "laatste termijn eerst",
               "werknemer": "werknemer (A-Z)", "dossier": "dossiernummer"}


@dataclass(frozen=True)
class Filters:
    casemanager: str = ""
    werkgever: str = ""
    status: str = ""
    archief: bool = False
    sorteer: str = "termijn"

    @classmethod
    def from_query(cls, q: Mapping[str, str]) -> Filters:
        status = q.get("status", "")
        sorteer = q.get("sorteer", "")
        return cls(casemanager=q.get("casemanager", "").strip()[:400], werkgever=q.get("werkgever", "").strip()[:400],
                   status=status if status in api.CASE_STATUSES else "",
                   archief=q.get("archief", "") in ("1", "ja", "on"),
                   sorteer=sorteer if sorteer in SORTERINGEN else "termijn")

    def conditions(self, c: Any) -> list[Any]:
        cond = []
        if self.casemanager:
            cond.append(c.casemanager == self.casemanager)
        if self.werkgever:
            cond.append(c.werkgever == self.werkgever)
        if self.status:
            cond.append(c.status == self.status)
        elif not self.archief:
            cond.append(c.status == "open")
        return cond

    def order(self, c: Any) -> list[Any]:
        if self.sorteer == "termijn_af":
            return [c.mijlpaal_uiterlijk.is_(None), c.mijlpaal_uiterlijk.desc(), c.dossiernummer]
        if self.sorteer == "werknemer":
            return [sa.func.lower(c.werknemer), c.dossiernummer]
        if self.sorteer == "dossier":
            return [c.dossiernummer]
        return []  # the store's own: soonest due date first

    def query(self, **extra: Any) -> str:
        """These filters (and ``extra``) as a query string for links (paging)."""
        values = {"casemanager": self.casemanager, "werkgever": self.werkgever, "status": self.status,
                  "archief": "1" if self.archief else "", "sorteer": "" if self.sorteer == "termijn" else self.sorteer,
                  **extra}
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})


def choices(store: Any) -> dict[str, list[str]]:
    """The casemanagers and werkgevers of the undeleted cases, for the filter selects."""
    from dossier.web.storage import case_table

    c = case_table.c
    with store._read.connect() as conn:
        managers = conn.execute(sa.select(c.casemanager).where(c.deleted_at.is_(None), c.casemanager.is_not(None))
                                .distinct().order_by(c.casemanager)).scalars().all()
        firms = conn.execute(sa.select(c.werkgever).where(c.deleted_at.is_(None)).distinct()
                             .order_by(c.werkgever)).scalars().all()
    return {"casemanagers": list(managers), "werkgevers": list(firms)}
