"""The library API as a user of the library calls it: ``import dossier`` and nothing below it."""

from __future__ import annotations

import json
import multiprocessing
import pickle
import shutil
import typing
from datetime import date
from pathlib import Path

import pytest

import dossier
from dossier import kinds
from dossier.render.templates import BUILTIN_DIR

TODAY = date(2026, 10, 16)


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def two_cases(tmp_path: Path, case_data: dict) -> Path:
    """A-1 is clean; A-10 has an unknown field (a warning whose location contains "A-1")."""
    a1 = dict(case_data, dossiernummer="A-1")
    a10 = dict(case_data, dossiernummer="A-10", onbekend_veld="x")
    return _write(tmp_path / "cases.json", [a1, a10])


def test_the_package_offers_the_api() -> None:
    for name in ("build", "render_documents", "check", "run_batch", "timelines", "format_timeline", "load_one_case",
                 "list_templates", "check_templates", "case_schema", "DossierError", "Settings", "KINDS"):
        assert name in dossier.__all__
        assert getattr(dossier, name) is getattr(dossier.api, name)


def test_strict_load_of_a1_ignores_the_warning_of_a10(two_cases: Path) -> None:
    strict = dossier.Settings(strict=True)
    loaded = dossier.load_one_case(two_cases, dossier="A-1", settings=strict, today=TODAY)
    assert loaded.case.dossiernummer == "A-1"
    with pytest.raises(dossier.CaseDataError) as e:
        dossier.load_one_case(two_cases, dossier="A-10", settings=strict, today=TODAY)
    assert e.value.exit_code == dossier.ExitCode.invalid_data
    assert [i.field for i in e.value.issues] == ["onbekend_veld"]
    assert all("A-10" in i.location for i in e.value.issues)


def test_load_one_case_needs_a_choice_in_a_multi_case_file(two_cases: Path) -> None:
    with pytest.raises(dossier.UsageError, match="--dossier"):
        dossier.load_one_case(two_cases, settings=dossier.Settings(), today=TODAY)
    with pytest.raises(dossier.UsageError, match="niet gevonden"):
        dossier.load_one_case(two_cases, dossier="A-2", settings=dossier.Settings(), today=TODAY)


def test_check_streams_with_running_counts(two_cases: Path, tmp_path: Path, case_data: dict) -> None:
    bad = _write(tmp_path / "bad.json", dict(case_data, ziekteperiodes=[{"eerste_ziektedag": "31-02-2026"}]))
    run = dossier.check([two_cases, bad], settings=dossier.Settings(), today=TODAY)
    items = list(run)
    assert run.records == 3 and run.valid == 2 and len(items) == 3
    assert run.errors >= 1 and run.warnings >= 1
    assert run.failed
    assert run.summary().startswith("2 van 3 casus(sen) geldig")


def test_timelines_and_the_json_contract(samples_dir: Path) -> None:
    items = dossier.timelines(samples_dir / "casus_kuipers.json", settings=dossier.Settings(), today=TODAY)
    data = json.loads(dossier.format_timeline(items, "json"))
    assert data["dossiernummer"] == "VZ-2025-0142"
    assert {"code", "uiterlijk", "status"} <= set(data["mijlpalen"][0])
    assert dossier.format_timeline(items, "ics").startswith("BEGIN:VCALENDAR")


def test_render_one_file_and_unknown_kind(samples_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "pva.docx"
    files = dossier.render_documents("plan_van_aanpak", samples_dir / "casus_kuipers.json", output=out,
                           settings=dossier.Settings(), today=TODAY)
    assert files == [out] and out.stat().st_size > 1000
    with pytest.raises(dossier.UsageError, match="bedoelt u 'plan_van_aanpak'"):
        dossier.render_documents("plan_van_aanpk", samples_dir / "casus_kuipers.json", settings=dossier.Settings(),
                       today=TODAY)


def test_build_reports_the_same_findings_as_check(samples_dir: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    settings = dossier.Settings(converter="fake")
    case_file = samples_dir / "casus_kuipers.json"
    result = dossier.build(case_file, output=tmp_path / "d.pdf", settings=settings, today=TODAY)
    assert result.pdf.is_file() and result.pages > 3
    checked = {(i.field, i.message) for item in dossier.check([case_file], settings=settings, today=TODAY)
               for i in item.issues}
    built = {(i.field, i.message) for i in result.warnings}
    assert checked <= built
    # What the build adds are the attachments' own warnings (the check does not open them).
    assert all(f.startswith("bijlagen[") for f, _m in built - checked)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""  # the library never prints


class _SequentialRunner:
    """A runner of one's own: the seam a distributed engine uses."""

    jobs = 1

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.converter = None

    def __enter__(self) -> _SequentialRunner:
        from dossier.convert.fake import FakeConverter

        self.converter = FakeConverter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.converter = None

    def run(self, job: typing.Any, cases: typing.Iterable[typing.Any]) -> typing.Iterator[typing.Any]:
        for loaded in cases:
            self.seen.append(loaded.case.dossiernummer)
            yield dossier.build_case(job, loaded, self.converter)


def test_run_batch_through_a_runner_of_ones_own(two_cases: Path, tmp_path: Path) -> None:
    runner = _SequentialRunner()
    report = dossier.run_batch([two_cases], tmp_path / "out", soort="plan_van_aanpak", runner=runner,
                               settings=dossier.Settings(), today=TODAY)
    assert runner.seen == ["A-1", "A-10"]
    assert report.count("ok") == 2
    assert (tmp_path / "out" / "A-1" / "plan_van_aanpak-A-1.pdf").is_file()


def test_run_batch_refuses_an_unknown_kind_before_any_work(two_cases: Path, tmp_path: Path) -> None:
    with pytest.raises(dossier.UsageError, match="onbekende soort"):
        dossier.run_batch([two_cases], tmp_path / "out", soort="brief", settings=dossier.Settings(), today=TODAY)
    assert not (tmp_path / "out").exists()


def _remote_worker(payload: bytes) -> list[str]:
    """What a worker on another machine does: unpickle the job and call the unit of work."""
    from dossier.convert.fake import FakeConverter

    job, loaded = pickle.loads(payload)
    result = dossier.build_case(job, loaded, FakeConverter())
    return [result.status, *result.bestanden]


def test_the_unit_of_work_runs_in_a_fresh_process_from_pickled_arguments(samples_dir: Path, tmp_path: Path) -> None:
    loaded = dossier.load_one_case(samples_dir / "casus_kuipers.json", settings=dossier.Settings(), today=TODAY)
    job = dossier.BatchJob(tmp_path / "out", "dossier", dossier.Settings(converter="fake"), TODAY)
    (tmp_path / "out").mkdir()
    with multiprocessing.get_context("spawn").Pool(1) as pool:  # spawn: no state inherited from here
        status, *files = pool.apply(_remote_worker, (pickle.dumps((job, loaded)),))
    assert status == "ok"
    assert sorted(files) == ["VZ-2025-0142/VZ-2025-0142.index.json", "VZ-2025-0142/VZ-2025-0142.pdf"]
    assert (tmp_path / "out" / "VZ-2025-0142" / "VZ-2025-0142.pdf").is_file()


# --- the registry of document kinds --------------------------------------------------------


def test_every_template_has_a_registry_entry_and_every_generated_kind_a_template() -> None:
    shipped = {p.stem for p in BUILTIN_DIR.glob("*.docx")}
    assert shipped == set(kinds.template_names())
    for k in kinds.KINDS.values():
        assert (k.template is not None) == k.generated
        if k.in_dossier:
            assert k.group and k.uwv_type, k.name


def test_every_attachment_kind_of_the_case_model_is_in_the_registry() -> None:
    from dossier.model import Bijlage

    allowed = set(typing.get_args(Bijlage.model_fields["soort"].annotation))
    assert allowed == set(kinds.ATTACHMENT_KINDS)
    assert all(kinds.KINDS[name].generated is False for name in allowed)


def test_adding_a_kind_is_one_template_and_one_registry_entry(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                              samples_dir: Path) -> None:
    firm = tmp_path / "sjablonen"
    firm.mkdir()
    shutil.copyfile(BUILTIN_DIR / "plan_van_aanpak.docx", firm / "ontslagbrief.docx")
    brief = kinds.Kind("ontslagbrief", "Ontslagbrief", "Ontslag", "Overige documenten (ontslag)",
                       plan=kinds._single(lambda c: c.plan_van_aanpak, lambda p: p.datum))
    monkeypatch.setitem(kinds.KINDS, brief.name, brief)
    settings = dossier.Settings(templates_dir=firm, converter="fake")
    case_file = samples_dir / "casus_kuipers.json"

    files = dossier.render_documents("ontslagbrief", case_file, output=tmp_path / "r", settings=settings, today=TODAY)
    assert [f.name for f in files] == ["ontslagbrief-VZ-2025-0142.docx"]
    result = dossier.build(case_file, output=tmp_path / "d.pdf", uwv_dir=tmp_path / "uwv", settings=settings,
                           today=TODAY)
    assert next(p for p in result.parts if p["group"] == "Ontslag")["title"] == "Ontslagbrief"
    assert result.parts[-1]["group"] == "Ontslag"  # its group comes where its entry stands: last
    assert "documenttype: Overige documenten (ontslag)" in (tmp_path / "uwv" / "overzicht.txt").read_text()


# --- the house rules of the front door -------------------------------------------------------


def _imports(path: Path) -> set[str]:
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names if node.module == "dossier")
    return out


def _function_imports(path: Path, function: str) -> set[str]:
    """The imports inside one top-level function (the lazy imports a command may make)."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    body = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function]
    out: set[str] = set()
    for node in ast.walk(body[0]) if body else ():
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
    return out


def test_the_cli_reaches_the_engine_only_through_the_api() -> None:
    package = Path(dossier.__file__).parent
    own = {m for m in _imports(package / "cli.py") if m.startswith("dossier")}
    # The one exception: `dossier serve` imports the optional web front end lazily, inside the command.
    lazy_web = {m for m in _function_imports(package / "cli.py", "serve") if m.startswith("dossier.web")}
    assert lazy_web <= {"dossier.web"}, lazy_web
    assert own - lazy_web <= {"dossier", "dossier.api"}, own
    web = package / "web"
    for path in package.rglob("*.py"):
        names = _imports(path)
        if path.name not in ("cli.py",):
            assert "click" not in names, f"{path} imports click"
        if web in path.parents:
            # The web application is a front end like the CLI: dossier.api and its own modules only.
            engine = {m for m in names if m.startswith("dossier") and not m.startswith("dossier.web")}
            assert engine <= {"dossier", "dossier.api"}, f"{path} imports {engine}"
        elif path.name not in ("cli.py", "__init__.py") or path.parent != package:
            assert not {"dossier.api", "dossier.dossier.api"} & names, f"{path} imports dossier.api"


def test_validate_case_data_and_the_overview_of_a_case(case_data: dict) -> None:
    case, issues = dossier.api.validate_case_data(case_data, today=TODAY)
    assert case is not None and issues == []
    bad = dict(case_data, werknemer={"naam": "X", "bsn": "123456789"},
               ziekteperiodes=[{"eerste_ziektedag": "2026-01-05"}, {"eerste_ziektedag": "2026-02-30"}])
    case, issues = dossier.api.validate_case_data(bad, today=TODAY)
    assert case is None
    fields = [i.field for i in issues]
    assert "werknemer.bsn" in fields and "ziekteperiodes[2].eerste_ziektedag" in fields
    assert dossier.api.field_path("ziekteperiodes[2].eerste_ziektedag") == "ziekteperiodes.1.eerste_ziektedag"
    assert dossier.api.issue_json(issues[0]).keys() == {"ernst", "veld", "melding"}
    assert dossier.api.validate_case_data([1])[0] is None

    case, _ = dossier.api.validate_case_data(case_data, today=TODAY)
    o = dossier.api.case_overview(case, settings=dossier.Settings(), today=TODAY)
    tl = dossier.api.case_timeline(case, settings=dossier.Settings(), today=TODAY)
    assert o.ziekteweek == tl.huidige_ziekteweek and o.werkgever == "Testbedrijf B.V."
    code, due = o.volgende_mijlpaal
    first_open = min((m for m in tl.mijlpalen if not m.informatief and m.gedaan_op is None), key=lambda m: m.uiterlijk)
    assert (code, due) == (first_open.code, first_open.uiterlijk) and o.volgende_omschrijving == first_open.label
    # Nothing done in a case 40 weeks old: the problem analysis is late, a wage-sanction risk.
    assert o.niveau == "loonsanctie-risico"
