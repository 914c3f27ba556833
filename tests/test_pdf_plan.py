"""Tests for dossier.pdf.plan: page arithmetic, Dutch dates, groups and index rows (pure)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dossier.pdf.plan import (
    Part,
    format_date_nl,
    format_page_range,
    group_runs,
    index_rows,
    needs_heading,
    plan_dossier,
)


def part(key: str, group: str = "", title: str | None = None, **kwargs: object) -> Part:
    return Part(key=key, title=title or key.title(), group=group or key.title(), pdf=Path(f"{key}.pdf"),
                **kwargs)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2025, 2, 3), "3 februari 2025"),
        (date(2025, 1, 6), "6 januari 2025"),
        (date(2026, 3, 31), "31 maart 2026"),
        (date(2025, 5, 1), "1 mei 2025"),
        (date(2025, 12, 25), "25 december 2025"),
        (None, ""),
    ],
)
def test_format_date_nl(value: date | None, expected: str) -> None:
    assert format_date_nl(value) == expected


def test_format_page_range() -> None:
    assert format_page_range(12, 15) == "12–15"
    assert format_page_range(7, 7) == "7"


def test_plan_without_cover() -> None:
    plan = plan_dossier(None, 0, [part("a"), part("b"), part("c")], [3, 1, 2], index_pages=1)
    assert plan.cover is None
    assert plan.index_start == 1
    assert [(p.start_page, p.end_page, p.pages) for p in plan.parts] == [
        (2, 4, "2–4"),
        (5, 5, "5"),
        (6, 7, "6–7"),
    ]
    assert [p.number for p in plan.parts] == [1, 2, 3]
    assert plan.total_pages == 7


def test_plan_with_cover_and_two_index_pages() -> None:
    cover = part("voorblad", in_index=False)
    plan = plan_dossier(cover, 2, [part("a"), part("b")], [1, 4], index_pages=2)
    assert (plan.cover.start_page, plan.cover.end_page, plan.cover.number) == (1, 2, None)
    assert plan.index_start == 3
    assert plan.parts[0].start_page == 5
    assert plan.parts[1].pages == "6–9"
    assert plan.total_pages == 9


def test_parts_left_out_of_the_index_get_no_number() -> None:
    plan = plan_dossier(None, 0, [part("a"), part("b", in_index=False), part("c")], [1, 1, 1], 1)
    assert [p.number for p in plan.parts] == [1, None, 2]
    assert [r.title for r in index_rows(plan)] == ["A", "C"]


def test_plan_rejects_bad_counts() -> None:
    with pytest.raises(ValueError, match="one entry per part"):
        plan_dossier(None, 0, [part("a")], [1, 2], 1)
    with pytest.raises(ValueError, match="at least one page"):
        plan_dossier(None, 0, [part("a")], [0], 1)


def test_plan_to_dict_is_plain() -> None:
    plan = plan_dossier(None, 0, [part("a", datum=date(2025, 2, 3))], [2], 1)
    data = plan.to_dict()
    assert data["parts"][0]["datum"] == "2025-02-03"
    assert data["parts"][0]["pages"] == "2–3"


def test_groups_are_consecutive_runs() -> None:
    parts = [part("a", "X"), part("b", "X"), part("c", "Y"), part("d", "X")]
    plan = plan_dossier(None, 0, parts, [1, 1, 1, 1], 1)
    runs = group_runs(plan.parts)
    assert [(g, [p.key for p in members]) for g, members in runs] == [
        ("X", ["a", "b"]),
        ("Y", ["c"]),
        ("X", ["d"]),
    ]


def test_heading_only_when_the_group_adds_something() -> None:
    plan = plan_dossier(
        None,
        0,
        [
            part("pva", "Plan van aanpak", "Plan van aanpak"),
            part("pa", "Oordelen bedrijfsarts", "Probleemanalyse"),
            part("ev", "Evaluaties", "Eerstejaarsevaluatie"),
        ],
        [1, 1, 1],
        1,
    )
    runs = group_runs(plan.parts)
    assert [needs_heading(g, m) for g, m in runs] == [False, True, True]


def test_index_rows_with_headings_dates_and_targets() -> None:
    parts = [
        part("pva", "Plan van aanpak", "Plan van aanpak", datum=date(2025, 2, 24)),
        part("pa", "Oordelen bedrijfsarts", "Probleemanalyse", datum=date(2025, 2, 10),
             auteurs="drs. P. Hendriks (bedrijfsarts)"),
        part("bpa", "Oordelen bedrijfsarts", "Bijstelling", datum=date(2025, 6, 2)),
    ]
    plan = plan_dossier(None, 0, parts, [3, 2, 1], index_pages=1)
    rows = index_rows(plan)
    assert [(r.kind, r.title, r.number, r.pages, r.target_page) for r in rows] == [
        ("part", "Plan van aanpak", 1, "2–4", 2),
        ("group", "Oordelen bedrijfsarts", None, "", 5),
        ("part", "Probleemanalyse", 2, "5–6", 5),
        ("part", "Bijstelling", 3, "7", 7),
    ]
    assert rows[2].datum == "10 februari 2025"
    assert rows[2].auteurs == "drs. P. Hendriks (bedrijfsarts)"
    assert [r.starts_group for r in rows] == [True, True, False, False]


def test_part_repr_hides_the_password() -> None:
    secret = part("a", password="geheim")
    assert "geheim" not in repr(secret)
