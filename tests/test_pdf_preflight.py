"""Tests for dossier.pdf.preflight on PDFs made by other tools (tests/data/pdf_fixtures)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from dossier.errors import AssemblyError, Severity
from dossier.pdf import preflight
from dossier.pdf.preflight import inspect_pdf, open_pdf

FIXTURES = Path(__file__).resolve().parent / "data" / "pdf_fixtures"
SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "bijlagen"


def only_error(path: Path, **kwargs: object) -> str:
    info, issues = inspect_pdf(path, label="bijlage 3", **kwargs)
    assert info is None
    assert len(issues) == 1
    issue = issues[0]
    assert issue.severity is Severity.fout
    assert issue.source == "bijlage 3"
    assert path.name in issue.message
    return issue.message


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("bestaat_niet.pdf", "niet gevonden"),
        ("leeg.pdf", "is leeg (0 bytes)"),
        ("geen_pdf.pdf", "is geen PDF"),
        ("beschadigd.pdf", "is beschadigd en kan niet worden gelezen"),
        (
            "versleuteld_wachtwoord.pdf",
            "is versleuteld; geef het wachtwoord op in de casus (bijlagen[].wachtwoord)",
        ),
    ],
)
def test_unusable_files_give_one_dutch_error_naming_the_file(name: str, expected: str) -> None:
    assert expected in only_error(FIXTURES / name)


def test_wrong_password_is_reported_as_such() -> None:
    message = only_error(FIXTURES / "versleuteld_wachtwoord.pdf", password="fout")
    assert "wachtwoord is onjuist" in message


def test_correct_password_opens_aes_file() -> None:
    info, issues = inspect_pdf(FIXTURES / "versleuteld_wachtwoord.pdf", password="geheim",
                               label="bijlage 2")
    assert issues == []
    assert info is not None and info.encrypted and info.password_required
    assert info.page_count == 1
    reader = open_pdf(FIXTURES / "versleuteld_wachtwoord.pdf", "geheim")
    assert "Vertrouwelijk verslag" in reader.pages[0].extract_text()


def test_empty_user_password_opens_without_asking() -> None:
    info, issues = inspect_pdf(FIXTURES / "versleuteld_leeg_wachtwoord.pdf", label="bijlage 1")
    assert issues == []
    assert info is not None and info.encrypted and not info.password_required
    assert "Vertrouwelijk verslag" in open_pdf(info.path).pages[0].extract_text()


@pytest.fixture
def no_aes_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    """pypdf as it is without the cryptography package (which the OCR extra brings in)."""
    import pypdf._encryption as encryption
    from pypdf._crypt_providers import _fallback

    for name in ("CryptAES", "aes_cbc_decrypt", "aes_cbc_encrypt", "aes_ecb_decrypt", "aes_ecb_encrypt"):
        monkeypatch.setattr(encryption, name, getattr(_fallback, name))


@pytest.mark.usefixtures("no_aes_provider")
def test_aes_without_qpdf_or_cryptography_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(preflight.shutil, "which", lambda _name: None)
    with pytest.raises(AssemblyError, match="qpdf"):
        open_pdf(FIXTURES / "versleuteld_wachtwoord.pdf", "geheim")


def test_scan_without_text_layer_is_a_warning() -> None:
    info, issues = inspect_pdf(FIXTURES / "scan_zonder_tekst.pdf", label="bijlage 4")
    assert info is not None and not info.has_text_layer and info.page_count == 2
    assert [i.severity for i in issues] == [Severity.waarschuwing]
    assert "gescand document zonder tekstlaag" in issues[0].message
    assert "scan_zonder_tekst.pdf" in issues[0].message


def test_file_over_ten_megabytes_is_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(preflight, "MAX_DOCUMENT_BYTES", 1000)
    info, issues = inspect_pdf(SAMPLES / "probleemanalyse.pdf", label="bijlage 1")
    assert info is not None
    assert [i.severity for i in issues] == [Severity.waarschuwing]
    assert "UWV accepteert maximaal 10 MB per document" in issues[0].message


@pytest.mark.parametrize(
    ("name", "pages", "attributes"),
    [
        ("gedraaid_liggend.pdf", 6, {"rotated_pages": (2, 3, 4, 6), "landscape_pages": (2, 4, 5)}),
        ("formulier_ingevuld.pdf", 1, {"has_form": True}),
        ("pdftex_outline.pdf", 3, {"has_outline": True, "pdf_version": "1.5"}),
        ("pdfa.pdf", 1, {"has_text_layer": True, "signed": False}),
        ("mediabox_offset.pdf", 3, {"rotated_pages": (3,)}),
        ("gedeelde_objecten.pdf", 3, {"rotated_pages": (1, 2)}),  # /Rotate inherited
    ],
)
def test_good_files_report_their_properties(name: str, pages: int, attributes: dict) -> None:
    info, issues = inspect_pdf(FIXTURES / name, label="bijlage")
    assert issues == []
    assert info is not None and info.page_count == pages
    for key, value in attributes.items():
        assert getattr(info, key) == value, key


def test_signed_pdf_is_a_warning(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    signature = writer._add_object(
        DictionaryObject({NameObject("/Type"): NameObject("/Sig"), NameObject("/Filter"):
                          NameObject("/Adobe.PPKLite")})
    )
    field = writer._add_object(
        DictionaryObject(
            {
                NameObject("/FT"): NameObject("/Sig"),
                NameObject("/T"): TextStringObject("Handtekening"),
                NameObject("/V"): signature,
            }
        )
    )
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject([field]), NameObject("/SigFlags"): NumberObject(3)}
    )
    path = tmp_path / "ondertekend.pdf"
    writer.write(path)
    info, issues = inspect_pdf(path, label="bijlage")
    assert info is not None and info.signed
    assert any("digitaal ondertekend" in i.message for i in issues)


def test_bsn_in_a_file_name_is_masked(tmp_path: Path) -> None:
    path = tmp_path / "111222333 brief.pdf"
    path.write_bytes(b"")
    info, issues = inspect_pdf(path, label="bijlage")
    assert info is None
    assert "111222333" not in issues[0].message
    assert "*****2333 brief.pdf" in issues[0].message


def test_preflight_never_prints(capfd: pytest.CaptureFixture[str]) -> None:
    for path in sorted(FIXTURES.iterdir()):
        inspect_pdf(path, label="bijlage")
    out, err = capfd.readouterr()
    assert out == "" and err == ""


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="needs qpdf")
@pytest.mark.usefixtures("no_aes_provider")
def test_qpdf_receives_the_password_on_stdin_not_argv(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []
    real_run = preflight.subprocess.run

    def spy(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
        seen.append(list(args))
        return real_run(args, **kwargs)

    monkeypatch.setattr(preflight.subprocess, "run", spy)
    open_pdf(FIXTURES / "versleuteld_wachtwoord.pdf", "geheim")
    assert seen and all("geheim" not in " ".join(args) for args in seen)
