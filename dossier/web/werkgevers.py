"""Per-werkgever settings: which template set a firm's documents use and its WIA week.

Stored in ``werkgever_instelling`` (one row per werkgever name, as the case files spell it) and laid
over the server's own :class:`dossier.api.Settings` wherever a case's timeline, check or documents
are computed (:meth:`dossier.web.storage.Store.case_settings`).

A template set is a folder ``sjablonen/<naam>`` in the data folder holding a firm's templates (by
file name, as ``--templates``); a name without such a folder changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from dossier import api

if TYPE_CHECKING:
    from dossier.web.storage import Store

metadata = sa.MetaData()
table = sa.Table(
    "werkgever_instelling", metadata,
    sa.Column("werkgever", sa.String(400), primary_key=True),
    sa.Column("sjablonenset", sa.String(200)),
    sa.Column("wia_aanvraag_week", sa.Integer),
    sa.Column("gewijzigd_door", sa.String(200), nullable=False),
    sa.Column("gewijzigd_op", sa.DateTime(timezone=True), nullable=False),
)

#: The WIA application is due by the end of one of these sickness weeks (the law: 93; some firms 91).
WIA_WEKEN = range(87, 94)
_SET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._ -]{0,63}")


@dataclass(frozen=True)
class Instelling:
    werkgever: str
    sjablonenset: str | None = None
    wia_aanvraag_week: int | None = None


def sets_dir(store: Store) -> Path:
    return Path(store.db_path).parent / "sjablonen"


def get(store: Store, werkgever: str) -> Instelling:
    with store._read.connect() as conn:
        row = conn.execute(sa.select(table).where(table.c.werkgever == werkgever)).first()
    if row is None:
        return Instelling(werkgever)
    return Instelling(werkgever, row.sjablonenset, row.wia_aanvraag_week)


def all_settings(store: Store) -> dict[str, Instelling]:
    with store._read.connect() as conn:
        rows = conn.execute(sa.select(table)).all()
    return {r.werkgever: Instelling(r.werkgever, r.sjablonenset, r.wia_aanvraag_week) for r in rows}


def settings_for(store: Store, werkgever: str) -> api.Settings:
    """The server's settings with this werkgever's template set and WIA week laid over them."""
    s = get(store, werkgever)
    if s.sjablonenset is None and s.wia_aanvraag_week is None:
        return store.settings
    folder = sets_dir(store) / s.sjablonenset if s.sjablonenset else None
    return store.settings.merge(wia_aanvraag_week=s.wia_aanvraag_week,
                                templates_dir=folder if folder is not None and folder.is_dir() else None)


def problems(sjablonenset: str, wia_week: str) -> dict[str, str]:
    """Dutch messages per form field for values that cannot be stored (empty is fine: the default)."""
    out = {}
    if sjablonenset and (not _SET_NAME.fullmatch(sjablonenset) or ".." in sjablonenset):
        out["sjablonenset"] = ("een sjablonenset heet met letters, cijfers, spatie, punt of streepje "
                               "(max. 64 tekens), omdat het ook een mapnaam is")
    if wia_week and not (wia_week.isdigit() and int(wia_week) in WIA_WEKEN):
        out["wia_aanvraag_week"] = f"verwacht een ziekteweek van {WIA_WEKEN[0]} tot en met {WIA_WEKEN[-1]} (wet: 93)"
    return out


def save(store: Store, werkgever: str, *, sjablonenset: str | None, wia_aanvraag_week: int | None,
         door: str) -> None:
    """Store (or clear, with two Nones) one werkgever's settings; its cases' werkvoorraad columns are
    marked stale, so the next :meth:`Store.refresh` recomputes them with the new settings."""
    from dossier.web.storage import case_table

    values = {"sjablonenset": sjablonenset, "wia_aanvraag_week": wia_aanvraag_week, "gewijzigd_door": door,
              "gewijzigd_op": datetime.now(UTC).replace(microsecond=0)}
    with store._tx() as conn:
        done = conn.execute(table.update().where(table.c.werkgever == werkgever).values(**values))
        if done.rowcount == 0:
            conn.execute(table.insert().values(werkgever=werkgever, **values))
        conn.execute(case_table.update().where(case_table.c.werkgever == werkgever)
                     .values(peildatum=datetime(1970, 1, 1).date()))
