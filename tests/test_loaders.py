from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from dossier.errors import CaseDataError
from dossier.loaders import read_records
from dossier.validate import validate_records


def _valid(path: Path):
    cases, issues = validate_records(read_records(path))
    return [c for _, c in cases], issues


def test_excel_csv_with_bom_semicolon_crlf_and_quoted_cells(data_dir: Path) -> None:
    records = read_records(data_dir / "csv_bom_semicolon" / "export.csv")
    assert [r.location for r in records] == ["regel 2", "regel 4"]  # a quoted cell spans two lines
    cases, issues = _valid(data_dir / "csv_bom_semicolon" / "export.csv")
    assert issues == []
    first, second = cases
    assert first.dossiernummer == "A-1"  # no BOM glued to the first header
    assert first.werkgever.naam == "Bakkerij Van Dijk & Zonen B.V."
    assert first.werknemer.naam == "Zoë Öztürk"
    assert first.werknemer.uren_per_week == Decimal("32.5")
    assert first.werknemer.bruto_maandloon == Decimal("2845.00")
    assert first.ziekteperiodes[0].eerste_ziektedag == date(2025, 1, 6)
    assert second.werkgever.naam == "Kok; Zn."
    assert second.werknemer.naam == "Piet\r\nde Vries"
    assert second.ziekteperiodes[0].hersteldatum == date(2025, 3, 17)


def test_legacy_cp1252_export(data_dir: Path) -> None:
    (case,), issues = _valid(data_dir / "csv_cp1252" / "export.csv")
    assert issues == []
    assert case.werkgever.naam == "Café Hoogland"
    assert case.werknemer.naam == "Renée Müller"


def test_comma_separated_utf8_without_bom(tmp_path: Path) -> None:
    p = tmp_path / "komma.csv"
    p.write_text('dossiernummer,werkgever.naam,werknemer.naam,eerste_ziektedag,werknemer.uren_per_week\n'
                 'C-1,"Jansen, Groot & Co",Anna,2025-05-01,"24,5"\n', encoding="utf-8")
    (case,), issues = _valid(p)
    assert issues == []
    assert case.werkgever.naam == "Jansen, Groot & Co"
    assert case.werknemer.uren_per_week == Decimal("24.5")


def test_indexed_columns_give_several_periods(tmp_path: Path) -> None:
    p = tmp_path / "perioden.csv"
    p.write_text("dossiernummer;werkgever.naam;werknemer.naam;ziekteperiodes[1].eerste_ziektedag;"
                 "ziekteperiodes[1].hersteldatum;ziekteperiodes.1.eerste_ziektedag\n"
                 "D-1;W;N;01-02-2025;01-03-2025;15-03-2025\n", encoding="utf-8")
    (case,), issues = _valid(p)
    assert issues == []
    assert [p.eerste_ziektedag for p in case.ziekteperiodes] == [date(2025, 2, 1), date(2025, 3, 15)]


def test_xlsx_written_by_openpyxl_with_real_date_and_number_cells(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["dossiernummer", "werkgever.naam", "werknemer.naam", "werknemer.bsn", "eerste_ziektedag",
               "werknemer.uren_per_week", "werknemer.geboortedatum", "probleemanalyse.datum"])
    ws.append(["X-1", "Bakker & Zn", "Eva", 111222333, datetime(2025, 1, 6), 32.5, "12-04-1979", None])
    ws.append([None] * 8)  # an empty row is skipped
    ws.append(["X-2", "Bakker & Zn", "Bas", 12345678, datetime(2025, 2, 3, 0, 0), 40, None, "17-03-2025"])
    p = tmp_path / "export.xlsx"
    wb.save(p)
    records = read_records(p)
    assert [r.location for r in records] == ["regel 2", "regel 4"]
    cases, issues = _valid(p)
    messages = [str(i) for i in issues]
    # 12345678 as a number cell lost its leading zero: 012345678 fails the elfproef, named as such
    assert any("regel 4" in m and "werknemer.bsn" in m and "elfproef" in m for m in messages)
    (case,) = cases
    assert case.werknemer.bsn == "111222333"
    assert case.ziekteperiodes[0].eerste_ziektedag == date(2025, 1, 6)
    assert case.werknemer.uren_per_week == Decimal("32.5")
    assert case.werknemer.geboortedatum == date(1979, 4, 12)


def test_json_single_case_and_list(data_dir: Path, tmp_path: Path, samples_dir: Path) -> None:
    records = read_records(data_dir / "json_list" / "cases.json")
    assert [r.location for r in records] == ["casus 1", "casus 2"]
    cases, issues = validate_records(records)
    assert [c.dossiernummer for _, c in cases] == ["J-1"]
    text = [str(i) for i in issues]
    assert any("casus 2, dossier J-2, werknemer.bsn" in t and "elfproef" in t for t in text)
    assert any("ziekteperiodes[1].hersteldatum" in t and "na de eerste ziektedag" in t for t in text)
    (one,) = read_records(samples_dir / "casus_minimaal.json")
    assert one.location == ""


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("leeg.csv", b"", "leeg"),
        ("leeg.json", b"  \n", "leeg"),
        ("kapot.json", b'{"dossiernummer": ', "ongeldige JSON op regel 1"),
        ("getal.json", b"42", "verwacht een JSON-object"),
        ("binair.csv", b"\x00\x01\x02PK\x03\x04", "geen tekstbestand"),
        ("nep.xlsx", b"dit is geen excel", "geen geldig Excel-bestand"),
        ("latin1.json", '{"a": "café"}'.encode("latin-1"), "geen UTF-8"),
        ("casus.docx", b"x", "onbekend bestandstype '.docx'"),
    ],
)
def test_unreadable_files_give_a_dutch_error_naming_the_file(tmp_path: Path, name: str, content: bytes,
                                                             expected: str) -> None:
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(CaseDataError) as info:
        read_records(p)
    assert expected in info.value.message
    assert name in info.value.message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CaseDataError, match="niet gevonden"):
        read_records(tmp_path / "bestaat-niet.csv")


@pytest.mark.parametrize("chunk", [1, 3, 17, 1 << 20])
def test_a_json_list_is_read_case_by_case_whatever_the_chunk_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  chunk: int) -> None:
    import json

    from dossier.loaders import iter_records, json_file

    monkeypatch.setattr(json_file, "CHUNK", chunk)
    cases = [{"dossiernummer": f"J-{i}", "tekst": "é ☃ \"quote\" \\ " * i, "getal": 10 ** i, "lijst": [[], {}]}
             for i in range(1, 8)]
    p = tmp_path / "lijst.json"
    p.write_bytes(b"\xef\xbb\xbf" + json.dumps(cases, ensure_ascii=False, indent=2).encode("utf-8"))
    records = iter_records(p)
    first = next(records)  # the first case comes before the rest of the file is parsed
    assert first.data == cases[0] and first.location == "casus 1"
    assert [r.data for r in records] == cases[1:]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('[\n {"a": 1},\n {"a": 2}\n {"a": 3}\n]', "regel 4, kolom 2: verwacht ',' of ']' na casus 2"),
        ('[\n {"a": 1},\n {"a": 2,}\n]', "ongeldige JSON op regel 3, kolom 10"),
        ('[\n {"a": 1}\n] x', "regel 3, kolom 3: tekst na het einde van de lijst"),
        ('[] {}', "regel 1, kolom 4: tekst na het einde van de lijst"),
        ('[\n {"a": 1},\n', "houdt op midden in de lijst"),
        ('[\n {"a": 1},\n "tekst"\n]', "casus 2 is geen JSON-object"),
        ('[{"a": "open string', "ongeldige JSON op regel 1"),
    ],
)
def test_a_broken_json_list_names_line_and_column_after_the_good_cases(tmp_path: Path, content: str,
                                                                        expected: str) -> None:
    from dossier.loaders import iter_records

    p = tmp_path / "kapot.json"
    p.write_text(content, encoding="utf-8")
    seen = []
    with pytest.raises(CaseDataError) as info:
        for r in iter_records(p):
            seen.append(r.data)
    assert expected in info.value.message, info.value.message
    assert "kapot.json" in info.value.message
    assert all(isinstance(d, dict) for d in seen)


# --- hostile spreadsheets ---------------------------------------------------------------------------

def _huge_sheet(src: Path, dst: Path, *, formatted_rows: bool) -> None:
    """``src`` with its dimension set to A1:XFD1048576 and (formatted) empty rows down to row 1,048,576:
    every row present in the XML, or only the last one (a gap openpyxl fills with empty rows)."""
    import re
    import zipfile

    last = 1_048_576
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', data.decode())
                first = max(int(n) for n in re.findall(r'<row r="(\d+)"', text)) + 1
                numbers = range(first, last + 1) if formatted_rows else [last]
                rows = "".join(f'<row r="{n}" s="1" customFormat="1"><c r="XFD{n}" s="1"/></row>' for n in numbers)
                data = text.replace("</sheetData>", rows + "</sheetData>").encode()
            zout.writestr(item, data)


@pytest.mark.parametrize("formatted_rows", [True, False], ids=["lege-opgemaakte-regels", "alleen-dimensie"])
def test_an_xlsx_reaching_row_1048576_is_checked_in_seconds(tmp_path: Path, samples_dir: Path,
                                                            formatted_rows: bool) -> None:
    import subprocess
    import sys
    import time

    big = tmp_path / "groot.xlsx"
    _huge_sheet(samples_dir / "verzuim_export.xlsx", big, formatted_rows=formatted_rows)
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "dossier", "check", str(big), "--today", "2026-11-23"],
                            capture_output=True, text=True, timeout=120)
    assert time.monotonic() - start < 10
    assert result.returncode == 0, result.stderr
    assert "20 van 20 casus(sen) geldig" in result.stderr
    assert "groot.xlsx: na regel 21 staan 1.000 lege regels achter elkaar" in result.stderr
    assert [r.location for r in read_records(big)][-1] == "regel 21"


def test_an_xlsx_with_a_gap_of_empty_rows_before_more_cases_reads_them(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["dossiernummer", "werkgever.naam", "werknemer.naam", "eerste_ziektedag"])
    ws.append(["X-1", "W", "A", "01-02-2025"])
    for _ in range(500):
        ws.append([None, None, None, None])
    ws.cell(row=600, column=1, value="X-2")
    ws.cell(row=600, column=2, value="W")
    ws.cell(row=600, column=3, value="B")
    ws.cell(row=600, column=4, value="01-02-2025")
    p = tmp_path / "gat.xlsx"
    wb.save(p)
    assert [r.location for r in read_records(p)] == ["regel 2", "regel 600"]


def test_a_csv_mixing_utf8_and_cp1252_rows_decodes_each_row_and_warns(tmp_path: Path, caplog) -> None:
    import logging

    header = "dossiernummer;werkgever.naam;werknemer.naam;eerste_ziektedag\r\n"
    p = tmp_path / "gemengd.csv"
    p.write_bytes(header.encode() + "M-1;Café Noord;José Müller;01-02-2025\r\n".encode()
                  + "M-2;Bakkerij;René Ösz;01-02-2025\r\n".encode("cp1252")
                  + "M-3;Plain;Jan;01-02-2025\r\n".encode("ascii")
                  + "M-4;Zoë;Chloé;01-02-2025\r\n".encode())
    logger = logging.getLogger("dossier.loaders.tabular")
    logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.WARNING, logger="dossier.loaders.tabular"):
            cases, issues = _valid(p)
    finally:
        logger.removeHandler(caplog.handler)
    assert issues == []
    assert [c.werknemer.naam for c in cases] == ["José Müller", "René Ösz", "Jan", "Chloé"]
    assert [c.werkgever.naam for c in cases] == ["Café Noord", "Bakkerij", "Plain", "Zoë"]
    assert not any("Ã" in c.werknemer.naam for c in cases)
    [warning] = {r.getMessage() for r in caplog.records}  # once (also when it reaches caplog twice)
    assert warning.startswith("gemengd.csv: het bestand mengt twee tekenbanken: regel 3 in Windows-1252")
    assert "elke regel is apart gelezen" in warning


def test_a_pure_cp1252_or_utf8_csv_gives_no_encoding_warning(data_dir: Path, caplog) -> None:
    import logging

    logger = logging.getLogger("dossier.loaders.tabular")
    logger.addHandler(caplog.handler)
    try:
        read_records(data_dir / "csv_cp1252" / "export.csv")
        read_records(data_dir / "csv_bom_semicolon" / "export.csv")
    finally:
        logger.removeHandler(caplog.handler)
    assert caplog.records == []


def test_csv_errors_are_explained_in_dutch(tmp_path: Path) -> None:
    p = tmp_path / "lang.csv"
    p.write_text("dossiernummer;werkgever.naam\r\nA;" + "x" * 200_000 + "\r\n", encoding="utf-8")
    with pytest.raises(CaseDataError) as e:
        read_records(p)
    assert e.value.message == "lang.csv: ongeldige CSV (een cel is langer dan 131.072 tekens)"
