"""Page arithmetic for the dossier: the input types and where every part lands.

Everything here is pure: no PDF is opened and nothing is written. :mod:`dossier.pdf.assemble`
counts pages, asks :func:`plan_dossier` where each part starts and ends, renders the index and
re-plans when the index turned out longer than assumed.

Order of the final PDF: cover (optional), index (inhoudsopgave), then the parts in the given
order. Page numbers are 1-based and continuous from the cover, so the stamped numbers, the
page labels and the viewer's page numbers are the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from dossier.nl_format import datum

#: En dash between the first and last page of a range ("12–15").
RANGE_DASH = "–"


@dataclass(frozen=True)
class Part:
    """One document in the dossier.

    Attributes:
        key: stable id, e.g. "plan_van_aanpak" or "bijlage-3" (used in the result and JSON).
        title: shown in the index and the outline, e.g. "Plan van aanpak".
        group: outline group; consecutive parts with the same group nest under one entry.
        pdf: the PDF file of this part.
        datum: date of the document, shown in the index (long Dutch format).
        auteurs: author(s) with their role, e.g. "P. Hendriks (bedrijfsarts)".
        keep_outline: copy the document's own bookmarks nested under its entry.
        in_index: False for the cover: no index row (it still gets an outline entry).
        password: password of an encrypted PDF (not shown in ``repr``).
        kind: the caller's label for the part (e.g. its document kind); the PDF layer ignores it.
    """

    key: str
    title: str
    group: str
    pdf: Path
    datum: date | None = None
    auteurs: str = ""
    keep_outline: bool = True
    in_index: bool = True
    password: str | None = field(default=None, repr=False, compare=False)
    kind: str = ""


@dataclass(frozen=True)
class DossierMeta:
    """Document-level settings of the assembled PDF.

    Attributes:
        title: /Title, e.g. "Re-integratiedossier".
        subject: /Subject, e.g. "Re-integratieverslag WIA — S. Kuipers"; also shown under the
            index title.
        author: /Author, the employer's name.
        stamp_left: text stamped bottom left on every page, e.g. "VZ-2025-0142 · S. Kuipers".
        created: fixed moment used for /CreationDate and /ModDate (keeps the output deterministic).
        stamp_right_fmt: bottom-right stamp; ``{page}`` and ``{total}`` are filled in.
        index_title: heading of the index pages and the name of its outline entry.
        index_intro: optional line under the index title.
        pdfa: identify the output as PDF/A-2b when every part allows it (:mod:`dossier.pdf.pdfa`).
    """

    title: str
    subject: str
    author: str
    stamp_left: str
    created: datetime
    stamp_right_fmt: str = "pagina {page} van {total}"
    index_title: str = "Inhoudsopgave"
    index_intro: str = ""
    pdfa: bool = False


@dataclass(frozen=True)
class PartPlacement:
    """Where one part ended up in the final PDF (all page numbers 1-based).

    Attributes:
        part: the part itself (title, group, date, authors are read from it).
        number: running number shown in the index (None when the part is not in the index).
        start_page: first page of the part.
        end_page: last page of the part.
    """

    part: Part
    number: int | None
    start_page: int
    end_page: int

    @property
    def key(self) -> str:
        return self.part.key

    @property
    def title(self) -> str:
        return self.part.title

    @property
    def group(self) -> str:
        return self.part.group

    @property
    def page_count(self) -> int:
        return self.end_page - self.start_page + 1

    @property
    def pages(self) -> str:
        """The range as shown in the index, e.g. "12–15" or "12"."""
        return format_page_range(self.start_page, self.end_page)

    @property
    def datum(self) -> str | None:
        """ISO date of the document, or None."""
        return self.part.datum.isoformat() if self.part.datum else None

    @property
    def auteurs(self) -> str:
        return self.part.auteurs

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable dictionary of the placement."""
        return {"key": self.key, "title": self.title, "group": self.group, "number": self.number,
                "start_page": self.start_page, "end_page": self.end_page, "page_count": self.page_count,
                "pages": self.pages, "datum": self.datum, "auteurs": self.auteurs}


@dataclass(frozen=True)
class DossierPlan:
    """The page arithmetic of one dossier.

    Attributes:
        cover: placement of the cover, or None.
        index_start: first page of the index.
        index_pages: number of index pages.
        parts: placements of the parts, in order.
        total_pages: pages in the final PDF.
    """

    cover: PartPlacement | None
    index_start: int
    index_pages: int
    parts: tuple[PartPlacement, ...]
    total_pages: int

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable dictionary."""
        return {"cover": self.cover.to_dict() if self.cover else None, "index_start": self.index_start,
                "index_pages": self.index_pages, "parts": [p.to_dict() for p in self.parts],
                "total_pages": self.total_pages}


@dataclass(frozen=True)
class IndexRow:
    """One row of the index: a group heading or a part.

    Attributes:
        kind: "group" for a heading row, "part" for a document row.
        title: heading or document title.
        number: running number of the part (None for headings).
        datum: long Dutch date ("3 februari 2025") or "".
        auteurs: author line or "".
        pages: page range as shown ("12–15").
        target_page: page the row links to (1-based); for a heading, its first part.
        starts_group: the row opens a new group (drawn with extra space above it).
    """

    kind: str
    title: str
    number: int | None = None
    datum: str = ""
    auteurs: str = ""
    pages: str = ""
    target_page: int = 1
    starts_group: bool = False


def format_date_nl(value: date | None) -> str:
    """Long Dutch date: ``date(2025, 2, 3)`` → "3 februari 2025"; None → "" (:func:`dossier.nl_format.datum`)."""
    return datum(value)


def format_page_range(start: int, end: int) -> str:
    """Page range as shown in the index: "12–15", or "12" for a single page."""
    return str(start) if end <= start else f"{start}{RANGE_DASH}{end}"


def plan_dossier(
    cover: Part | None,
    cover_pages: int,
    parts: Sequence[Part],
    page_counts: Sequence[int],
    index_pages: int,
) -> DossierPlan:
    """Compute the start and end page of every part.

    Args:
        cover: the cover part, or None.
        cover_pages: pages of the cover PDF (ignored without a cover).
        parts: the parts in dossier order.
        page_counts: pages of each part, same order as ``parts``.
        index_pages: pages the index takes (at least 1).

    Returns:
        The plan; parts with ``in_index=False`` get ``number=None``.

    Raises:
        ValueError: counts do not match the parts, or a count is below 1.
    """
    if len(parts) != len(page_counts):
        raise ValueError("page_counts must have one entry per part")
    if index_pages < 1 or any(n < 1 for n in page_counts) or (cover and cover_pages < 1):
        raise ValueError("every document needs at least one page")

    page = 1
    cover_placement = None
    if cover is not None:
        cover_placement = _placement(cover, None, page, cover_pages)
        page += cover_pages
    index_start = page
    page += index_pages

    placements = []
    number = 0
    for part, count in zip(parts, page_counts, strict=True):
        if part.in_index:
            number += 1
        placements.append(_placement(part, number if part.in_index else None, page, count))
        page += count
    return DossierPlan(
        cover=cover_placement,
        index_start=index_start,
        index_pages=index_pages,
        parts=tuple(placements),
        total_pages=page - 1,
    )


def _placement(part: Part, number: int | None, start: int, count: int) -> PartPlacement:
    return PartPlacement(part=part, number=number, start_page=start, end_page=start + count - 1)


def group_runs(placements: Sequence[PartPlacement]) -> list[tuple[str, list[PartPlacement]]]:
    """Split placements into runs of consecutive parts with the same group.

    Groups are taken as runs, not collected across the dossier: a group that comes back later
    gets a second heading, so the index and the outline always follow the page order.
    """
    runs: list[tuple[str, list[PartPlacement]]] = []
    for placement in placements:
        if runs and runs[-1][0] == placement.group:
            runs[-1][1].append(placement)
        else:
            runs.append((placement.group, [placement]))
    return runs


def needs_heading(group: str, members: Sequence[PartPlacement]) -> bool:
    """A group gets its own heading (and outline level) unless it is one part with its name."""
    return bool(group) and (len(members) > 1 or members[0].title != group)


def index_rows(plan: DossierPlan) -> list[IndexRow]:
    """The rows of the index: group headings and one row per part with ``in_index``."""
    rows: list[IndexRow] = []
    listed = [p for p in plan.parts if p.number is not None]
    for group, members in group_runs(listed):
        heading = needs_heading(group, members)
        if heading:
            rows.append(
                IndexRow(
                    kind="group", title=group, target_page=members[0].start_page, starts_group=True
                )
            )
        for i, p in enumerate(members):
            rows.append(
                IndexRow(
                    kind="part",
                    title=p.title,
                    number=p.number,
                    datum=format_date_nl(date.fromisoformat(p.datum)) if p.datum else "",
                    auteurs=p.auteurs,
                    pages=p.pages,
                    target_page=p.start_page,
                    starts_group=i == 0 and not heading,
                )
            )
    return rows
