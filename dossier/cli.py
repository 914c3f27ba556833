"""The ``dossier`` command: a thin Click adapter over :mod:`dossier.api`.

This is the only module that prints to the terminal or exits. Output goes to stdout; messages
for people go to stderr. A :class:`~dossier.errors.DossierError` becomes a Dutch message and its
exit code; a traceback is shown only with ``-v``.
"""

from __future__ import annotations

import functools
import json
import logging
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from dossier.errors import DossierError, ExitCode, Issue, Severity
from dossier.logs import configure_logging
from dossier.privacy import scrub
from dossier.settings import Settings, default_settings

log = logging.getLogger("dossier")
F = TypeVar("F", bound=Callable[..., Any])

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class State:
    """Options shared by all commands (-v/-q)."""

    def __init__(self) -> None:
        self.verbosity = 0


def _parse_today(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    from dossier.loaders.nl_values import parse_date_nl

    try:
        return parse_date_nl(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None


def _verbosity_options(f: F) -> F:
    def set_verbose(ctx: click.Context, _p: click.Parameter, value: int) -> None:
        if value:
            ctx.ensure_object(State).verbosity = value

    def set_quiet(ctx: click.Context, _p: click.Parameter, value: bool) -> None:
        if value:
            ctx.ensure_object(State).verbosity = -1

    f = click.option("-v", "--verbose", count=True, expose_value=False, callback=set_verbose,
                     help="Meer uitvoer (-vv voor details, met traceback bij fouten).")(f)
    f = click.option("-q", "--quiet", is_flag=True, expose_value=False, callback=set_quiet,
                     help="Alleen fouten tonen.")(f)
    return f


today_option = click.option(
    "--today", "today", callback=_parse_today, metavar="JJJJ-MM-DD",
    help="Peildatum voor de status van de mijlpalen (standaard: vandaag).")
strict_option = click.option("--strict", is_flag=True, default=None,
                             help="Waarschuwingen tellen als fouten.")


def _print_issues(issues: list[Issue]) -> None:
    for issue in issues:
        click.echo(scrub(str(issue)), err=True)


def handle_errors(f: F) -> F:
    """Turn library exceptions into a Dutch message on stderr and the right exit code."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        state = click.get_current_context().ensure_object(State)
        configure_logging(state.verbosity)
        try:
            return f(*args, **kwargs)
        except DossierError as e:
            issues = getattr(e, "issues", [])
            _print_issues(issues)
            if state.verbosity >= 2:
                log.exception("details")
            click.echo(f"Fout: {scrub(e.message)}", err=True)
            sys.exit(int(e.exit_code))
        except KeyboardInterrupt:
            click.echo("Afgebroken.", err=True)
            sys.exit(int(ExitCode.interrupted))
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as e:  # a bug: say so plainly, details with -v
            if state.verbosity >= 1:
                log.exception("interne fout")
            click.echo(f"Interne fout: {type(e).__name__}: {scrub(str(e))}\n"
                       "Dit is een fout in dossier; draai opnieuw met -v voor details en meld het.",
                       err=True)
            sys.exit(int(ExitCode.internal_error))

    return wrapper  # type: ignore[return-value]


def _settings(**overrides: Any) -> Settings:
    return default_settings().merge(**overrides)


def _today(value: date | None) -> date:
    from dossier.timeline_format import today_default

    return value or today_default()


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="dossier", message="dossier %(version)s")
@_verbosity_options
@click.pass_context
def main(ctx: click.Context) -> None:
    """dossier — re-integratiedossiers volgens de Wet verbetering poortwachter.

    Leest casusgegevens (CSV, Excel of JSON), berekent de poortwachtertijdlijn, vult de
    Word-sjablonen en bouwt het geïndexeerde PDF-dossier voor de WIA-aanvraag.
    """
    ctx.ensure_object(State)


@main.command()
@click.argument("cases", nargs=-1, required=True, type=click.Path(path_type=Path))
@today_option
@strict_option
@click.option("--wia-week", type=click.IntRange(85, 104), default=None,
              help="Week waarin de WIA-aanvraag uiterlijk moet (standaard 93).")
@_verbosity_options
@handle_errors
def check(cases: tuple[Path, ...], today: date | None, strict: bool | None, wia_week: int | None) -> None:
    """Controleer casusbestanden: gegevens, termijnen en ontbrekende onderdelen.

    Meldt alle fouten en waarschuwingen tegelijk, met bestand, regel of casus en veld.
    Exitcode 0 als alles geldig is, 2 bij fouten (of waarschuwingen met --strict).
    """
    from dossier.api import check_cases

    settings = _settings(strict=strict, wia_aanvraag_week=wia_week)
    report = check_cases(list(cases), settings=settings, today=_today(today))
    for issue in report.issues:
        click.echo(scrub(str(issue)))
    n_err, n_warn = len(report.errors), len(report.warnings)
    click.echo(f"{len(report.cases)} van {report.records} casus(sen) geldig; "
               f"{n_err} fout(en), {n_warn} waarschuwing(en).", err=True)
    if n_err or (settings.strict and n_warn):
        sys.exit(int(ExitCode.invalid_data))


@main.command()
@click.argument("case", type=click.Path(path_type=Path))
@today_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "ics"]), default="text",
              show_default=True, help="Uitvoer: leesbare tabel, JSON of iCalendar (Outlook).")
@click.option("--dossier", "dossier_nr", metavar="NUMMER",
              help="Kies één casus uit een bestand met meerdere casussen.")
@click.option("--wia-week", type=click.IntRange(85, 104), default=None,
              help="Week waarin de WIA-aanvraag uiterlijk moet (standaard 93).")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Schrijf naar dit bestand in plaats van naar stdout.")
@_verbosity_options
@handle_errors
def timeline(case: Path, today: date | None, fmt: str, dossier_nr: str | None,
             wia_week: int | None, output: Path | None) -> None:
    """Toon de poortwachtertijdlijn van een casus: mijlpalen, uiterste data en status.

    Een bestand met meerdere casussen geeft in tekst- en ics-vorm alle casussen; in JSON één
    object per casus (een lijst bij meerdere).
    """
    from dossier.api import case_timeline, load_cases, load_one_case
    from dossier.timeline_format import timeline_ics, timeline_json, timeline_text

    settings = _settings(wia_aanvraag_week=wia_week)
    ref = _today(today)
    if dossier_nr is not None:
        loaded = [load_one_case(case, dossier=dossier_nr, settings=settings, today=ref)]
    else:
        report = load_cases([case], today=ref)
        if report.errors:
            from dossier.errors import CaseDataError

            raise CaseDataError(f"{case.name}: {len(report.errors)} fout(en) in de casusgegevens",
                                report.errors)
        loaded = report.cases
    items = [(lc.case, case_timeline(lc.case, settings=settings, today=ref)) for lc in loaded]
    if fmt == "json":
        data: Any = [timeline_json(c, t) for c, t in items]
        text = json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=2) + "\n"
    elif fmt == "ics":
        text = timeline_ics(items)
    else:
        text = "\n".join(timeline_text(c, t) for c, t in items)
    if output is not None:
        from dossier.fileio import atomic_write_bytes

        atomic_write_bytes(output, text.encode("utf-8"))
        log.info("Geschreven: %s", output)
    else:
        click.echo(text, nl=False)


@main.command()
@_verbosity_options
@handle_errors
def schema() -> None:
    """Druk het JSON Schema van een casusbestand af."""
    from dossier.model import case_json_schema

    click.echo(json.dumps(case_json_schema(), ensure_ascii=False, indent=2))


def _severity_counts(issues: list[Issue]) -> tuple[int, int]:
    errors = sum(1 for i in issues if i.severity is Severity.fout)
    return errors, len(issues) - errors


def run(argv: list[str] | None = None) -> None:
    """Console entry point: like ``main()``, but usage errors exit with 1 (click uses 2, which is
    our "invalid data" code) and Ctrl-C exits with 130."""
    try:
        result = main.main(args=argv, prog_name="dossier", standalone_mode=False)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except click.UsageError as e:
        e.show()
        sys.exit(int(ExitCode.bad_args))
    except click.ClickException as e:
        e.show()
        sys.exit(int(ExitCode.bad_args))
    except (click.Abort, KeyboardInterrupt):
        click.echo("Afgebroken.", err=True)
        sys.exit(int(ExitCode.interrupted))
    sys.exit(result if isinstance(result, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    run()
