"""Property-based and fuzz tests (hypothesis): parsers, readers, validation and the timeline.

Every property here could fail: each compares the code against an independent statement of the
rule (a formatter written here, Part A of poortwachter.md restated, the csv module as the oracle),
never against the code's own output. Examples are bounded so the module runs in well under 20 s.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import json
import re
import tempfile
import tracemalloc
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from test_timeline_oracle import next_working_day  # the oracle's own holidays (tests/)

from dossier.errors import CaseDataError, Severity
from dossier.loaders import read_records
from dossier.loaders.nl_values import bsn_elfproef, parse_bool_nl, parse_date_nl, parse_decimal_nl
from dossier.loaders.paths import submodel, unflatten
from dossier.loaders.records import Record
from dossier.model import Case
from dossier.timeline import Status, compute_timeline, split_cases
from dossier.validate import build_case, check_case, validate_records

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MEDIUM = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MANY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ============================================================================================
# nl_values
# ============================================================================================

#: Four-digit years: the formats Dutch exports use (D-M-JJJJ, DD-MM-JJJJ, JJJJ-MM-DD).
DATES = st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31))


@MANY
@given(d=DATES, style=st.sampled_from(["d-m-jjjj", "dd-mm-jjjj", "iso", "iso-tijd"]),
       sep=st.sampled_from("-/."), pad=st.sampled_from(["", " ", "\t", "  "]))
def test_dates_round_trip(d: date, style: str, sep: str, pad: str) -> None:
    text = {
        "d-m-jjjj": f"{d.day}{sep}{d.month}{sep}{d.year}",
        "dd-mm-jjjj": f"{d.day:02d}{sep}{d.month:02d}{sep}{d.year}",
        "iso": d.isoformat(),
        "iso-tijd": f"{d.isoformat()}T08:30:15",
    }[style]
    assert parse_date_nl(pad + text + pad) == d


def _dutch(whole: int, frac: str, negative: bool) -> str:
    """Dutch number style, written independently of the parser: 1.234.567,89."""
    groups = []
    digits = str(whole)
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    text = ("-" if negative else "") + ".".join(groups)
    return f"{text},{frac}" if frac else text


@MANY
@given(whole=st.integers(0, 10**15), frac=st.text("0123456789", max_size=6), negative=st.booleans(),
       euro=st.booleans(), dash=st.booleans())
def test_dutch_decimals_round_trip(whole: int, frac: str, negative: bool, euro: bool, dash: bool) -> None:
    text = _dutch(whole, frac, negative)
    if dash and not frac:
        text += ",-"  # "€ 2.845,-": whole euros
    expected = Decimal(f"{'-' if negative else ''}{whole}" + (f".{frac}" if frac else ""))
    parsed = parse_decimal_nl(("€ " if euro else "") + text)
    assert parsed == expected
    assert parsed.as_tuple() == expected.as_tuple()  # same digits and exponent, not just the same value


#: Arbitrary text, plus text that is *almost* a date or a number, where parsers are most fragile.
FUZZ_TEXT = st.one_of(
    st.text(),
    st.binary().map(lambda b: b.decode("utf-8", errors="replace")),
    st.binary().map(lambda b: b.decode("latin-1")),
    st.from_regex(r"\A\s*\d{0,5}[-/. ]\d{0,3}[-/. ]\d{0,6}(T\d\d:\d\d(:\d\d(\.\d+)?)?)?\s*\Z"),
    st.from_regex(r"\A[-+€\s]{0,3}[\d.,_]{0,25}([eE][-+]?\d{0,25})?(,-)?\Z"),
    st.sampled_from(["NaN", "-inf", "Infinity", "sNaN", "1e999999999999999999999", "٣-٤-٢٠٢٥", "३.१", "0000-00-00"]),
)


@MANY
@given(text=FUZZ_TEXT)
def test_parsers_raise_nothing_but_value_error(text: str) -> None:
    for parse in (parse_date_nl, parse_decimal_nl, parse_bool_nl):
        try:
            parse(text)
        except ValueError as e:
            assert str(e)  # a Dutch message, never empty


@MANY
@given(value=st.one_of(FUZZ_TEXT, st.floats(), st.decimals(), st.integers()))
@example(value=Decimal("Infinity"))  # found: numbers passed through unchecked (a JSON NaN, an XLSX error)
@example(value=float("nan"))
def test_decimal_parser_returns_only_finite_numbers(value: object) -> None:
    """NaN and infinity are not amounts or hours, whatever form they arrive in (text, XLSX float)."""
    try:
        result = parse_decimal_nl(value)
    except ValueError:
        return
    assert result.is_finite()


# ============================================================================================
# loaders
# ============================================================================================


def _read_bytes(content: bytes, suffix: str) -> list[Record]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"casus{suffix}"
        path.write_bytes(content)
        return read_records(path)


def _only_case_data_error(content: bytes, suffix: str) -> None:
    try:
        records = _read_bytes(content, suffix)
    except CaseDataError as e:
        assert e.issues and e.message
        assert all(i.severity is Severity.fout and i.message for i in e.issues)
    else:
        assert all(isinstance(r.data, dict) for r in records)


@MANY
@given(content=st.binary(max_size=3000), suffix=st.sampled_from([".csv", ".txt", ".json", ".xlsx"]))
def test_arbitrary_bytes_fail_only_with_case_data_error(content: bytes, suffix: str) -> None:
    _only_case_data_error(content, suffix)


#: Column headers as real exports write them, including prefixes of other columns (a scalar and an
#: object at the same path) and 1-based list indexes.
HEADER_WORDS = ["dossiernummer", "werknemer", "werknemer.naam", "werkgever.contactpersoon",
                "werkgever.contactpersoon.naam", "ziekteperiodes", "Eerste ziektedag", "hersteldatum",
                "opmerkingen", "diagnose", "tweede_spoor.stappen", "evaluaties", "onbekend", ""]


@st.composite
def csv_headers(draw: st.DrawFn) -> str:
    word = draw(st.sampled_from(HEADER_WORDS))
    if draw(st.booleans()):
        index = draw(st.integers(0, 40))
        tail = draw(st.sampled_from(["", ".eerste_ziektedag", ".verslag", ".datum", ".x"]))
        word = f"{word or 'ziekteperiodes'}[{index}]{tail}"
    return word


CELL = st.one_of(st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=12),
                st.just("x" * 140_000))  # larger than the csv module's field limit (131072)


@MEDIUM
@given(header=st.lists(csv_headers(), min_size=1, max_size=6),
       rows=st.lists(st.lists(CELL, max_size=7), max_size=3), delimiter=st.sampled_from(";,\t"))
# found: a column that is a prefix of another one crashed unflatten (TypeError, AttributeError)
@example(header=["ziekteperiodes[1]", "ziekteperiodes[1].eerste_ziektedag"], rows=[["x", "1-2-2025"]], delimiter=";")
@example(header=["werkgever.contactpersoon", "werkgever.contactpersoon.naam"], rows=[["x", "y"]], delimiter=";")
@example(header=["ziekteperiodes[1].x", "ziekteperiodes.naam"], rows=[["x", "y"]], delimiter=";")
def test_any_csv_table_fails_only_with_case_data_error(header: list[str], rows: list[list[str]],
                                                       delimiter: str) -> None:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    _only_case_data_error(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"), ".csv")


@FAST
@given(header=st.lists(csv_headers(), min_size=1, max_size=4), index=st.integers(0, 10**6))
@example(header=["dossiernummer"], index=10**6)  # found: the reader built a list of a million slots
def test_a_huge_list_index_in_a_header_costs_no_memory(header: list[str], index: int) -> None:
    """A hostile header like ``ziekteperiodes[1000000].x`` must not make the reader build a huge list."""
    header = [*header, f"ziekteperiodes[{index}].eerste_ziektedag"]
    content = ";".join(header) + "\r\n" + ";".join("1-2-2025" for _ in header) + "\r\n"
    tracemalloc.start()
    try:
        _only_case_data_error(content.encode("utf-8"), ".csv")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4_000_000


JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=10))
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@st.composite
def json_documents(draw: st.DrawFn) -> bytes:
    """JSON text, valid or nearly so: numbers of any length, NaN, deep nesting, a cut-off end."""
    text = json.dumps(draw(JSON_VALUES), ensure_ascii=draw(st.booleans()))
    token = draw(st.one_of(
        st.integers(1, 6000).map(lambda n: "9" * n),
        st.sampled_from(["NaN", "-Infinity", "1e400", "-0", '"\\ud800"', "[" * 3000 + "]" * 3000]),
    ))
    if draw(st.booleans()):
        text = f'{{"dossiernummer": "J-1", "werknemer": {{"uren_per_week": {token}}}, "x": {text}}}'
    if draw(st.booleans()):
        text = text[: draw(st.integers(0, len(text)))]
    return text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"])))


@MEDIUM
@given(content=json_documents())
@example(content=b'{"werknemer": {"uren_per_week": ' + b"9" * 4301 + b"}}")  # found: ValueError (int digit limit)
def test_any_json_text_fails_only_with_case_data_error(content: bytes) -> None:
    _only_case_data_error(content, ".json")


@functools.cache
def _valid_xlsx() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["dossiernummer", "werkgever.naam", "werknemer.naam", "eerste_ziektedag"])
    ws.append(["X-1", "Bakker", "Eva", datetime(2025, 1, 6)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@st.composite
def damaged_xlsx(draw: st.DrawFn) -> bytes:
    """A real workbook with flipped bytes, or with zip members replaced, dropped or truncated."""
    original = _valid_xlsx()
    if draw(st.booleans()):
        data = bytearray(original)
        for pos, byte in draw(st.lists(st.tuples(st.integers(0, len(data) - 1), st.integers(0, 255)),
                                       min_size=1, max_size=8)):
            data[pos] = byte
        return bytes(data)
    with zipfile.ZipFile(io.BytesIO(original)) as z:
        members = {name: z.read(name) for name in z.namelist()}
    for name in draw(st.lists(st.sampled_from(sorted(members)), min_size=1, max_size=3, unique=True)):
        action = draw(st.sampled_from(["drop", "garbage", "truncate", "empty"]))
        if action == "drop":
            del members[name]
        elif action == "garbage":
            members[name] = draw(st.binary(max_size=200)) + draw(st.sampled_from([b"", b"<", b"<?xml"]))
        elif action == "truncate":
            members[name] = members[name][: draw(st.integers(0, len(members[name])))]
        else:
            members[name] = b""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in members.items():
            z.writestr(name, content)
    return out.getvalue()


def _replace_member(name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_valid_xlsx())) as src, zipfile.ZipFile(out, "w") as dst:
        for member in src.namelist():
            dst.writestr(member, content if member == name else src.read(member))
    return out.getvalue()


@MEDIUM
@given(content=damaged_xlsx())
def test_any_damaged_workbook_fails_only_with_case_data_error(content: bytes) -> None:
    _only_case_data_error(content, ".xlsx")


#: Cell text as casemanagers and exports produce it: separators, quotes, line breaks, control
#: characters, emoji and right-to-left text, mixed with ordinary characters.
AWKWARD = st.sampled_from([";", ",", '"', '""', "\r\n", "\n", "\r", "\t", "\x0b", "\x1f", "\x7f",
                           "😀", "👩🏽‍⚕️", "\u202e", "\u200f", "שלום", "مرحبا", "\ufeff", "€", " "])
CELL_TEXT = st.lists(st.one_of(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), AWKWARD),
                     max_size=12).map("".join)
COLUMNS = ["dossiernummer", "werknemer.naam", "probleemanalyse.advies", "opmerkingen"]


@pytest.mark.parametrize("member", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "[Content_Types].xml"])
def test_regression_workbook_with_broken_xml(member: str) -> None:
    """Found by the property above: lxml's XMLSyntaxError (and zlib.error) escaped the reader."""
    with pytest.raises(CaseDataError, match="geen geldig Excel-bestand"):
        _read_bytes(_replace_member(member, b"<"), ".xlsx")


@MANY
@given(rows=st.lists(st.lists(CELL_TEXT, min_size=len(COLUMNS), max_size=len(COLUMNS)), min_size=1, max_size=3))
def test_csv_cells_round_trip_into_record_data(rows: list[list[str]]) -> None:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    records = _read_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"), ".csv")
    expected = [unflatten({c: v.strip() for c, v in zip(COLUMNS, row, strict=True) if v.strip()})
                for row in rows if any(v.strip() for v in row)]
    assert [r.data for r in records] == expected


# ============================================================================================
# validation
# ============================================================================================


def _bsn_from(eight: int) -> str | None:
    """A valid BSN with these first eight digits, or None when no check digit fits."""
    digits = f"{eight:08d}"
    check = sum(int(d) * w for d, w in zip(digits, range(9, 1, -1), strict=True)) % 11
    return None if check == 10 else digits + str(check)


BSNS = st.integers(10_000_000, 99_999_999).map(_bsn_from).filter(lambda b: b is not None and bsn_elfproef(b))


def _notations(bsn: str) -> list[str]:
    """The ways people write a BSN that the model accepts as one."""
    return [bsn, f"{bsn[:4]}.{bsn[4:6]}.{bsn[6:]}", f"{bsn[:3]} {bsn[3:6]} {bsn[6:]}",
            f"{bsn[:3]}-{bsn[3:6]}-{bsn[6:]}", f"{bsn[:4]} {bsn[4:6]} {bsn[6:]}"]


#: Placeholder in generated data, replaced by the drawn BSN (in one of its notations) afterwards, so
#: the (large) strategy for case-like data is built only once.
BSN_MARK = "\uE000BSN\uE000"


@functools.cache
def _scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(), st.booleans(), st.integers(), st.integers(-10, 1000), st.floats(), _texts(),
        st.dates().map(date.isoformat), st.dates().map(lambda d: f"{d.day}-{d.month}-{d.year}"),
        st.dates(), st.datetimes(),
        st.sampled_from(["ja", "nee", "evaluatie", "bijstelling", "medisch", "overig", "1.234,56", "31-02-2026"]),
    )


@functools.cache
def _junk() -> st.SearchStrategy[Any]:
    keys = st.one_of(st.sampled_from(sorted(_field_names())), st.text(max_size=6))
    return st.recursive(_scalars(), lambda ch: st.lists(ch, max_size=3) | st.dictionaries(keys, ch, max_size=4),
                        max_leaves=8)


@functools.cache
def _field_names() -> frozenset[str]:
    names: set[str] = set()
    todo, seen = [Case], set()
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, info in model.model_fields.items():
            names.add(name)
            if (sub := submodel(info.annotation)) is not None:
                todo.append(sub)
    return frozenset(names)


@functools.cache
def _texts() -> st.SearchStrategy[str]:
    no_digits = st.text(st.characters(exclude_categories=("Cs", "Nd")), max_size=6)
    return st.one_of(st.text(max_size=20), st.text(min_size=250, max_size=320),
                     st.sampled_from(["", " ", "hernia", "../x", "/etc/passwd", "X-1", "bijlage.pdf"]),
                     st.builds(lambda a, b: a + BSN_MARK + b, no_digits, no_digits))


def _plausible(annotation: Any, clean: bool) -> st.SearchStrategy[Any]:
    """Values of roughly the right kind for a field, as readers deliver them (text, numbers, dates)."""
    if get_origin(annotation) is Literal:
        return st.sampled_from(get_args(annotation))
    if get_origin(annotation) is list:
        return st.lists(_plausible(get_args(annotation)[0], clean), max_size=3)
    kinds = set(get_args(annotation) or (annotation,)) - {type(None)}
    options: list[st.SearchStrategy[Any]] = []
    if date in kinds:
        near = st.dates(date(1990, 1, 1), date(2100, 1, 1))
        options += [near.map(date.isoformat), near.map(lambda d: f"{d.day}-{d.month}-{d.year}"), near]
    if Decimal in kinds:
        options += [st.integers(0, 80), st.floats(0, 100), st.sampled_from(["38", "32,5", "2.845,00"])]
    if bool in kinds:
        options.append(st.sampled_from(["ja", "nee", True, False]))
    if int in kinds:
        options.append(st.integers(0, 600))
    if str in kinds or not options:
        options.append(_texts() if clean else _scalars())
    return st.one_of(options)


@functools.cache
def _model_dicts(model: Any, depth: int = 0, clean: bool = False) -> st.SearchStrategy[Any]:
    """Dicts shaped like ``model``: required fields usually present and values usually of the right
    kind, some wrong (unless ``clean``), plus unknown keys; or a sparse dict with fields missing."""
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for name, info in model.model_fields.items():
        sub = submodel(info.annotation)
        if sub is not None and depth < 3:
            inner = _model_dicts(sub, depth + 1, clean)
            value = st.lists(inner, min_size=0 if depth else 1, max_size=3) if get_origin(info.annotation) is list \
                else inner
        else:
            value = _plausible(info.annotation, clean)
        if depth < 2 and not clean:
            value = st.one_of(value, value, value, _junk())
        (required if info.is_required() else optional)[name] = value
    extra = st.dictionaries(st.text(max_size=8), _scalars(), max_size=2)
    full = st.fixed_dictionaries(required, optional=optional)
    if clean:
        return full
    sparse = st.fixed_dictionaries({}, optional={**required, **optional})
    return st.builds(lambda known, more: {**more, **known}, st.one_of(full, full, sparse), extra)


def _put_bsn(node: Any, bsn_text: str) -> Any:
    if isinstance(node, str):  # brackets: the BSN stands alone, not glued to other digits
        return node.replace(BSN_MARK, f"[{bsn_text}]")
    if isinstance(node, list):
        return [_put_bsn(v, bsn_text) for v in node]
    if isinstance(node, dict):
        return {_put_bsn(k, bsn_text): _put_bsn(v, bsn_text) for k, v in node.items()}
    return node


@st.composite
def raw_cases(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    """Case-like nested data with a valid BSN hidden anywhere (in any notation), and that BSN."""
    bsn = draw(BSNS)
    bsn_text = draw(st.sampled_from(_notations(bsn)))
    data = draw(st.one_of(_model_dicts(Case), _model_dicts(Case, clean=True),
                          st.dictionaries(st.text(max_size=6), _junk(), max_size=4)))
    data = _put_bsn(data, bsn_text)
    if draw(st.booleans()) and isinstance(data.get("werknemer", {}), dict):
        data.setdefault("werknemer", {})["bsn"] = bsn_text
    return data, bsn


def _leaks(bsn: str, text: str) -> bool:
    """True when the BSN's digits appear in ``text``, in any notation (separators removed)."""
    return bsn in re.sub(r"(?<=\d)[.\s-](?=\d)", "", text)


_VALID = {"dossiernummer": "A", "werkgever": {"naam": "W"}, "werknemer": {"naam": "N"},
          "ziekteperiodes": [{"eerste_ziektedag": "2000-01-01"}]}


@MEDIUM
@given(case=raw_cases(), today=st.one_of(st.none(), st.dates()))
# found: a BSN written as 123 456 789 was not masked ('100 000 009' is geen datum)
@example(case=({"probleemanalyse": {"datum": "100 000 009"}}, "100000009"), today=None)
# found: an attachment name longer than 255 bytes raised OSError (File name too long)
@example(case=({**_VALID, "bijlagen": [{"titel": "t", "bestand": "0" * 256}]}, "100000009"), today=None)
# found: today = 31-12-9999 overflowed in the "date in the future" rule
@example(case=({**_VALID, "probleemanalyse": {"datum": "2000-02-01"}}, "100000009"), today=date.max)
def test_build_case_never_raises_and_never_leaks_the_bsn(case: tuple[dict[str, Any], str],
                                                         today: date | None) -> None:
    data, bsn = case
    with tempfile.TemporaryDirectory() as folder:
        built, issues = build_case(Record(Path(folder) / "casus.json", "casus 1", data), today=today)
    assert built is None or isinstance(built, Case)
    errors = [i for i in issues if i.severity is Severity.fout]
    assert (built is None) == bool(errors)
    for issue in issues:
        assert issue.message.strip()
        # message, field (an unknown key can be anything), location (the dossiernummer) and source
        assert not _leaks(bsn, str(issue)), str(issue)


@FAST
@given(bsn=BSNS, notation=st.integers(0, 4))
@example(bsn="100000009", notation=0)  # found: the duplicate message was not scrubbed
def test_duplicate_dossiernummer_message_does_not_leak_a_bsn(bsn: str, notation: int) -> None:
    """Some firms (wrongly) use the BSN as dossiernummer or file name; no issue may repeat it."""
    data = {"dossiernummer": _notations(bsn)[notation], "werkgever": {"naam": "W"},
            "werknemer": {"naam": "N"}, "ziekteperiodes": [{"eerste_ziektedag": "2026-01-05"}]}
    records = [Record(Path(f"{bsn}.csv"), f"regel {n}", data, unknown=(bsn,)) for n in (2, 3)]
    _, issues = validate_records(records)
    assert issues
    for issue in issues:
        assert not _leaks(bsn, str(issue)), str(issue)


# ============================================================================================
# timeline
# ============================================================================================

#: Part A: a gap of this many days or more starts a new case (restated, not imported).
GAP_LIMIT = 28

ORDER = [  # (code, relation to the next code) when no probleemanalyse date is given; Part A table
    ("probleemanalyse", "<"), ("plan_van_aanpak", "<"), ("ziekmelding_uwv", "<="),
    ("eerstejaarsevaluatie", "<="), ("eindevaluatie", "<"), ("wia_aanvraag", "<"), ("einde_wachttijd", ""),
]


PLAUSIBLE_FIRST_DAY = st.dates(date(1995, 1, 1), date(2090, 12, 31))


@st.composite
def periods(draw: st.DrawFn, first_day: st.SearchStrategy[date] = PLAUSIBLE_FIRST_DAY) -> list[dict[str, Any]]:
    """1–4 valid, non-overlapping sickness periods, oldest first; gaps below and above 28 days,
    sometimes with pregnancy leave in the gap (recorded on the period after it)."""
    n = draw(st.integers(1, 4))
    start = draw(first_day)
    out: list[dict[str, Any]] = []
    leave: dict[str, date] | None = None
    try:
        for i in range(n):
            period: dict[str, Any] = {"eerste_ziektedag": start}
            if leave is not None:
                period["zwangerschapsverlof"], leave = leave, None
            end = start + timedelta(days=draw(st.integers(1, 500)))
            last = i == n - 1
            if not last or draw(st.booleans()):
                period["hersteldatum"] = end
            out.append(period)
            if last:
                break
            # the gap without leave days; 27 and 28 are the boundary of samentelling
            gap = draw(st.one_of(st.sampled_from([0, 27, 28]), st.integers(0, 27), st.integers(28, 120)))
            if draw(st.integers(0, 3)) == 0:  # pregnancy/maternity leave somewhere in the gap
                after, length = draw(st.integers(0, gap)), draw(st.integers(1, 120))
                begin = end + timedelta(days=gap - after)
                leave = {"begin": begin, "einde": begin + timedelta(days=length - 1)}
                start = begin + timedelta(days=length + after)
            else:
                start = end + timedelta(days=gap)
    except OverflowError:
        assume(False)  # past 31-12-9999: not a date at all
    return out


def _case(ps: list[dict[str, Any]], **extra: Any) -> Case:
    return Case.model_validate({"dossiernummer": "P-1", "werkgever": {"naam": "W"}, "werknemer": {"naam": "N"},
                                "ziekteperiodes": ps, **extra})


@st.composite
def documents(draw: st.DrawFn, first: date) -> dict[str, Any]:
    """Dated steps anywhere from shortly before the first sick day to well into the second year."""
    when = st.integers(-120, 900).map(lambda n: first + timedelta(days=n))
    docs: dict[str, Any] = {}
    for key in ("probleemanalyse", "plan_van_aanpak", "ziekmelding_uwv", "eerstejaarsevaluatie",
                "eindevaluatie", "wia_aanvraag"):
        if draw(st.booleans()):
            docs[key] = {"datum": draw(when)}
    if draw(st.booleans()):
        docs["evaluaties"] = [{"datum": d} for d in draw(st.lists(when, max_size=4))]
    if draw(st.booleans()):
        docs["tweede_spoor"] = {"start": draw(when)}
    if "eerstejaarsevaluatie" in docs and draw(st.booleans()):
        docs["eerstejaarsevaluatie"]["spoor2_nodig"] = draw(st.booleans())
    for key in ("loonsanctie", "vrijwillige_verlenging"):
        if draw(st.integers(0, 3)) == 0:
            docs[key] = {"weken": draw(st.integers(1, 52))}
    return docs


@FAST
@given(ps=periods())
def test_the_period_generator_only_makes_valid_cases(ps: list[dict[str, Any]]) -> None:
    """The timeline properties below are about valid cases: validation must agree they are."""
    assert not [m for s, _, m in check_case(_case(ps)) if s is Severity.fout]


@MEDIUM
@given(data=st.data(), ps=periods(), today=st.dates(date(1990, 1, 1), date(2100, 1, 1)))
def test_due_dates_never_before_the_current_case_starts(data: st.DataObject, ps: list[dict[str, Any]],
                                                        today: date) -> None:
    docs = data.draw(documents(ps[0]["eerste_ziektedag"]))
    case = _case(ps, **docs)
    tl = compute_timeline(case, today=today)
    # the current case starts after the last gap of 28 days or more (leave not counted)
    starts = [0] + [i + 1 for i in range(len(ps) - 1) if _effective_gap(case, i) >= GAP_LIMIT]
    current = ps[starts[-1]]["eerste_ziektedag"]
    assert tl.eerste_ziektedag == current
    for m in tl.mijlpalen:
        assert m.uiterlijk >= current, (m.code, m.uiterlijk, current)
        assert m.vanaf is None or m.vanaf >= current


@MEDIUM
@given(ps=periods(), today=st.dates(date(1990, 1, 1), date(2100, 1, 1)),
       sanctie=st.one_of(st.none(), st.integers(1, 52)), verlenging=st.one_of(st.none(), st.integers(1, 52)))
def test_milestones_are_in_part_a_order(ps: list[dict[str, Any]], today: date, sanctie: int | None,
                                        verlenging: int | None) -> None:
    extra = {k: {"weken": w} for k, w in (("loonsanctie", sanctie), ("vrijwillige_verlenging", verlenging)) if w}
    tl = compute_timeline(_case(ps, **extra), today=today)
    due = {m.code: m.uiterlijk for m in tl.mijlpalen}
    present = [(code, rel) for code, rel in ORDER if code in due]
    for (a, rel), (b, _) in itertools.pairwise(present):
        assert due[a] < due[b] if rel == "<" else due[a] <= due[b], (a, due[a], b, due[b])
    if tl.hersteld_op is None:  # an ongoing case has every milestone of the table
        assert [c for c, _ in present] == [c for c, _ in ORDER]


@MEDIUM
@given(data=st.data(), ps=periods(), extra=st.integers(1, 60))
def test_a_longer_gap_shifts_later_due_dates_by_exactly_that_much(data: st.DataObject, ps: list[dict[str, Any]],
                                                                  extra: int) -> None:
    """Samentelling is monotone: extending a gap of < 28 days by k days moves every due date after the
    gap by exactly k days, until the gap reaches 28 days and a new case starts."""
    old_case = _case(ps)
    gaps = [i for i in range(len(ps) - 1) if _effective_gap(old_case, i) < GAP_LIMIT]
    assume(gaps)
    j = data.draw(st.sampled_from(gaps))
    shifted = [p if i <= j else _shift_period(p, extra, keep_leave=(i == j + 1)) for i, p in enumerate(ps)]
    new_case = _case(shifted)
    today = date(2000, 1, 1)
    old, new = compute_timeline(old_case, today=today), compute_timeline(new_case, today=today)
    boundary = ps[j + 1]["eerste_ziektedag"]  # first sick day after the gap
    in_current = boundary > old.eerste_ziektedag
    if in_current and _effective_gap(old_case, j) + extra >= GAP_LIMIT:
        assert new.eerste_ziektedag == boundary + timedelta(days=extra)  # a new case starts after the gap
        return

    def moved(d: date) -> date:
        return d + timedelta(days=extra) if d >= boundary else d

    assert new.eerste_ziektedag == moved(old.eerste_ziektedag)
    old_due = {(m.code, m.volgnummer): m.uiterlijk for m in old.mijlpalen}
    new_due = {(m.code, m.volgnummer): m.uiterlijk for m in new.mijlpalen}
    assert old_due.keys() == new_due.keys()
    for key, when in old_due.items():
        if key[0] == "ziekmelding_uwv":
            continue  # moved to the next working day after the shift; checked below
        assert new_due[key] == moved(when), key
    for n in (41, 55, 294, 363, 636, 727):
        assert new.calendar.date_of(n) == moved(old.calendar.date_of(n))
    if ("ziekmelding_uwv", None) in new_due:  # on a Saturday, Sunday or Atw holiday: the next working day
        assert new_due[("ziekmelding_uwv", None)] == next_working_day(new.calendar.date_of(294))
    old_vanaf = {(m.code, m.volgnummer): m.vanaf for m in old.mijlpalen if m.vanaf}
    new_vanaf = {(m.code, m.volgnummer): m.vanaf for m in new.mijlpalen if m.vanaf}
    assert new_vanaf == {k: moved(v) for k, v in old_vanaf.items()}


def _effective_gap(case: Case, i: int) -> int:
    """Gap between period i and i+1 in days, pregnancy leave not counted (independent restatement)."""
    prev, nxt = case.ziekteperiodes[i], case.ziekteperiodes[i + 1]
    assert prev.hersteldatum is not None
    gap_days = {prev.hersteldatum + timedelta(days=d) for d in range((nxt.eerste_ziektedag - prev.hersteldatum).days)}
    if nxt.zwangerschapsverlof is not None:
        v = nxt.zwangerschapsverlof
        gap_days -= {v.begin + timedelta(days=d) for d in range((v.einde - v.begin).days + 1)}
    return len(gap_days)


def _shift_period(p: dict[str, Any], days: int, *, keep_leave: bool) -> dict[str, Any]:
    delta = timedelta(days=days)
    out = {**p, "eerste_ziektedag": p["eerste_ziektedag"] + delta}
    if "hersteldatum" in p:
        out["hersteldatum"] = p["hersteldatum"] + delta
    if "zwangerschapsverlof" in p and not keep_leave:
        v = p["zwangerschapsverlof"]
        out["zwangerschapsverlof"] = {"begin": v["begin"] + delta, "einde": v["einde"] + delta}
    return out


@MEDIUM
@given(ps=periods())
def test_sick_calendar_counts_each_sick_day_once(ps: list[dict[str, Any]]) -> None:
    for cal in split_cases(list(_case(ps).ziekteperiodes)):
        total = cal.total_sick_days
        sick_dates = set()
        for start, end in cal.segments:
            stop = end if end is not None else start + timedelta(days=800)
            sick_dates |= {start + timedelta(days=d) for d in range((stop - start).days)}
        previous = None
        for n in range(0, 800):
            when = cal.date_of(n)
            if previous is not None:
                assert when > previous  # strictly increasing
            previous = when
            if total is None or n < total:
                assert when in sick_dates  # gap and leave days are skipped
                assert cal.sick_day_of(when) == n
            else:
                assert cal.sick_day_of(when) is None  # after recovery: not a sick day
        assert cal.sick_day_of(cal.eerste_ziektedag - timedelta(days=1)) is None


@MEDIUM
@given(data=st.data(), ps=periods())
def test_status_follows_part_a(data: st.DataObject, ps: list[dict[str, Any]]) -> None:
    """Steps done the day before, on or after their due date, checked on days around the due dates."""
    plain = compute_timeline(_case(ps), today=date(2000, 1, 1))
    due = {m.code: m.uiterlijk for m in plain.mijlpalen}
    around = st.integers(-1, 1).map(lambda n: timedelta(days=n))
    docs: dict[str, Any] = {}
    for code in ("probleemanalyse", "ziekmelding_uwv", "eerstejaarsevaluatie", "eindevaluatie", "wia_aanvraag"):
        if code in due and data.draw(st.booleans()):
            docs[code] = {"datum": due[code] + data.draw(around)}
    if data.draw(st.booleans()):
        docs["plan_van_aanpak"] = {"datum": ps[0]["eerste_ziektedag"] + timedelta(days=data.draw(st.integers(0, 80)))}
    today = data.draw(st.one_of(st.dates(date(1990, 1, 1), date(2100, 1, 1)),
                                st.sampled_from(sorted(due.values()) or [ps[0]["eerste_ziektedag"]])
                                .flatmap(lambda d: around.map(lambda t: d + t))))
    tl = compute_timeline(_case(ps, **docs), today=today)
    handed_in = [docs[c]["datum"] for c in ("eindevaluatie", "wia_aanvraag") if c in docs]
    for m in tl.mijlpalen:
        assert m.status in set(Status)
        if m.informatief:  # an event, not a task: it has happened or not
            assert m.status is (Status.gedaan if today >= m.uiterlijk else Status.open)
        elif m.gedaan_op is None:
            # an evaluation due after the RIV went to UWV is never "verlopen" (docs/regels.md)
            after_riv = m.code == "evaluatie" and bool(handed_in) and m.uiterlijk > min(handed_in)
            assert m.status is (Status.verlopen if today > m.uiterlijk and not after_riv else Status.open)
        else:
            assert m.status is (Status.gedaan if m.gedaan_op <= m.uiterlijk else Status.te_laat)


#: Any date a file can hold, with extra weight on both ends of the calendar.
ANY_DATE = st.one_of(st.dates(), st.dates(date(9997, 1, 1), date(9999, 12, 31)), st.dates(date(1, 1, 1), date(3, 1, 1)),
                    st.sampled_from([date.min, date.max]))


@MEDIUM
@given(ps=periods(first_day=ANY_DATE), today=ANY_DATE, step=st.one_of(st.none(), ANY_DATE))
# found: OverflowError for dates near 31-12-9999 (timeline and validation)
@example(ps=[{"eerste_ziektedag": date(9998, 1, 4)}], today=date(1, 1, 1), step=None)
@example(ps=[{"eerste_ziektedag": date(2026, 1, 5)}], today=date.max, step=None)
@example(ps=[{"eerste_ziektedag": date(1, 1, 1)}], today=date(1, 1, 1), step=date.max)
def test_any_case_that_validates_gets_a_timeline(ps: list[dict[str, Any]], today: date, step: date | None) -> None:
    """Whatever dates a file holds: once validation accepts it, ``dossier timeline`` must not crash."""
    raw = {"dossiernummer": "P-1", "werkgever": {"naam": "W"}, "werknemer": {"naam": "N"},
           "ziekteperiodes": [_as_text(p) for p in ps]}
    if step is not None:
        raw["probleemanalyse"] = {"datum": step.isoformat()}
    case, _ = build_case(Record(Path("x.json"), "", raw), today=today)
    if case is not None:
        compute_timeline(case, today=today)


def _as_text(p: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in p.items():
        out[k] = _as_text(v) if isinstance(v, dict) else v.isoformat()
    return out


# --- regressions found by the timeline properties (concrete, so they always run) ---------------


def test_regression_steps_of_an_earlier_case_do_not_count() -> None:
    """The plan van aanpak of an earlier case (gap ≥ 28 days, leave not counted) set evaluation dates
    before the current case even started."""
    ps = [{"eerste_ziektedag": date(2000, 1, 1), "hersteldatum": date(2000, 1, 2)},
          {"eerste_ziektedag": date(2000, 1, 2), "hersteldatum": date(2000, 1, 3)},
          {"eerste_ziektedag": date(2000, 2, 13),
           "zwangerschapsverlof": {"begin": date(2000, 1, 3), "einde": date(2000, 1, 13)}}]
    tl = compute_timeline(_case(ps, plan_van_aanpak={"datum": date(2000, 1, 1)}), today=date(2000, 3, 1))
    assert tl.eerste_ziektedag == date(2000, 2, 13)  # 41-day gap, 11 of them leave: 30 ≥ 28
    assert min(m.uiterlijk for m in tl.mijlpalen) >= tl.eerste_ziektedag
    assert tl.get("plan_van_aanpak").gedaan_op is None
    assert tl.get("plan_van_aanpak").uiterlijk == date(2000, 2, 13) + timedelta(days=55)


def test_regression_a_uwv_report_due_on_a_weekend_still_came_due() -> None:
    """Sick on sick day 294 (a Saturday): the 42nd-week report was required, even though the weekend
    rule moves its deadline past the last sick day."""
    ps = [{"eerste_ziektedag": date(2000, 1, 1), "hersteldatum": date(2000, 1, 2)},
          {"eerste_ziektedag": date(2000, 1, 2), "hersteldatum": date(2000, 10, 22)}]
    tl = compute_timeline(_case(ps), today=date(2001, 1, 1))
    assert tl.calendar.date_of(294) == date(2000, 10, 21) == tl.hersteld_op - timedelta(days=1)
    assert tl.get("ziekmelding_uwv").uiterlijk == date(2000, 10, 23)  # the Monday after
