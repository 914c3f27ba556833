"""The ``dossier`` command: a thin Click adapter over :mod:`dossier.api`.

This is the only module that prints to the terminal or exits. Output goes to stdout; messages
for people go to stderr. A :class:`~dossier.errors.DossierError` becomes a Dutch message and its
exit code; a traceback is shown only with ``-v``.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from dossier import api
from dossier.api import DossierError, ExitCode, Issue, Settings, configure_logging, scrub

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
    try:
        return api.parse_today(value)
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
strict_option = click.option(
    "--strict", is_flag=True, default=None,
    help="Waarschuwingen bij de gegevens en bevindingen met niveau loonsanctie-risico of boete tellen als fouten.")
strict_alle_option = click.option("--strict-alle", "strict_alle", is_flag=True, default=None,
                                  help="Als --strict, en ook bevindingen met niveau aandachtspunt tellen als fouten.")
pdfa_option = click.option("--pdfa", is_flag=True, default=None,
                           help="Maak PDF/A-2b (archiefformaat); niet-conforme bijlagen worden genoemd.")
bijlagen_map_option = click.option(
    "--bijlagen-map", "bijlagen_map", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Map waarin bijlagen ook mogen staan (naast de map van het casusbestand); daarbuiten wordt niets gelezen.")
cache_dir_option = click.option(
    "--cache", "cache_dir", type=click.Path(file_okay=False, path_type=Path), default=None, envvar="DOSSIER_CACHE",
    show_envvar=True, metavar="MAP",
    help="Map van de cache met omgezette documenten (standaard: $XDG_CACHE_HOME/dossier, ~/.cache/dossier).")
no_cache_option = click.option(
    "--no-cache", "no_cache", is_flag=True, default=False,
    help="Gebruik de cache niet: elk document wordt opnieuw gevuld en omgezet.")


def _cache_options(f: F) -> F:
    return cache_dir_option(no_cache_option(f))


def _cache_settings(cache_dir: Path | None, no_cache: bool) -> dict[str, Any]:
    return {"cache_dir": cache_dir, "cache": False if no_cache else None}


samenvoegen_option = click.option(
    "--samenvoegen/--apart", "samenvoegen", default=None,
    help="Zet de Word-documenten van een casus in één keer om met LibreOffice en knip de PDF weer "
         "op (standaard uit, en niet sneller dan apart: zie docs/samenvoegen.md). --apart zet "
         "elk document afzonderlijk om.")
ocr_option = click.option("--ocr", is_flag=True, default=None,
                          help="Maak gescande bijlagen doorzoekbaar met OCR (ocrmypdf, Nederlands).")


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
            _print_issues(e.issues)
            if state.verbosity >= 2:
                log.exception("details")
            click.echo(f"Fout: {scrub(e.message)}", err=True)
            sys.exit(int(e.exit_code))
        except KeyboardInterrupt as e:  # Ctrl-C, or SIGTERM/SIGHUP (api.Stopped)
            _aborted(e)
        except BrokenPipeError:  # output piped into `head` or a closed pager: stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(int(ExitCode.bad_args))
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


def _aborted(e: BaseException | None) -> None:
    """Exit after Ctrl-C (130), SIGTERM (143) or SIGHUP (129)."""
    if isinstance(e, api.Stopped):
        click.echo(f"Afgebroken (signaal {e.signum}).", err=True)
        sys.exit(e.exit_code)
    click.echo("Afgebroken.", err=True)
    sys.exit(int(ExitCode.interrupted))


def _settings(**overrides: Any) -> Settings:
    return api.default_settings().merge(**overrides)


def _today(value: date | None) -> date:
    return value or api.today_default()


dossier_option = click.option("--dossier", "dossier_nr", metavar="NUMMER",
                              help="Kies één casus uit een bestand met meerdere casussen.")
wia_week_option = click.option("--wia-week", type=click.IntRange(85, 104), default=None,
                               help="Week waarin de WIA-aanvraag uiterlijk moet (standaard 93).")


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
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Uitvoer: leesbare regels of JSON (voor koppelingen).")
@strict_option
@strict_alle_option
@wia_week_option
@_verbosity_options
@handle_errors
def check(cases: tuple[Path, ...], today: date | None, fmt: str, strict: bool | None, strict_alle: bool | None,
          wia_week: int | None) -> None:
    """Controleer casusbestanden: gegevens, termijnen, ontbrekende onderdelen en de RIV-toets.

    Meldt alle fouten en waarschuwingen tegelijk, met bestand, regel of casus en veld. Elke
    bevinding heeft een niveau: loonsanctie-risico, boete of aandachtspunt.
    Exitcode 0 als alles geldig is, 2 bij fouten (met --strict ook bij waarschuwingen bij de gegevens
    en bevindingen met niveau loonsanctie-risico of boete; met --strict-alle bij elke waarschuwing).
    """
    settings = _settings(strict=strict, strict_alle=strict_alle, wia_aanvraag_week=wia_week)
    run = api.check(list(cases), settings=settings, today=_today(today))
    # -q: errors only (with --strict warnings may count as errors, so they stay).
    quiet = (click.get_current_context().ensure_object(State).verbosity < 0
             and not (settings.strict or settings.strict_alle))
    if fmt == "json":  # collected in memory: one JSON document
        click.echo(json.dumps(run.as_json(), ensure_ascii=False, indent=2))
    else:  # streamed: printed as each case is checked, so memory stays flat for any input
        for item in run:
            for issue in item.errors if quiet else item.issues:
                click.echo(scrub(str(issue)))
    if not quiet:
        click.echo(run.summary(), err=True)
    if run.failed:
        sys.exit(int(ExitCode.invalid_data))


@main.command()
@click.argument("case", type=click.Path(path_type=Path))
@today_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "ics"]), default="text",
              show_default=True, help="Uitvoer: leesbare tabel, JSON of iCalendar (Outlook).")
@dossier_option
@wia_week_option
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
    settings = _settings(wia_aanvraag_week=wia_week)
    items = api.timelines(case, dossier=dossier_nr, settings=settings, today=_today(today))
    text = api.format_timeline(items, fmt)  # type: ignore[arg-type]
    if output is not None:
        api.write_output(output, text, inputs=[case])
        log.info("Geschreven: %s", output)
    else:
        click.echo(text, nl=False)


@main.command()
@_verbosity_options
@handle_errors
def schema() -> None:
    """Druk het JSON Schema van een casusbestand af."""
    click.echo(json.dumps(api.case_schema(), ensure_ascii=False, indent=2))


templates_option = click.option(
    "--templates", "templates_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    envvar="DOSSIER_TEMPLATES", show_envvar=True,
    help="Map met eigen sjablonen; die vervangen de ingebouwde met dezelfde naam.")


def _print_warnings(issues: list[Issue]) -> None:
    for issue in issues:
        log.warning("%s", scrub(str(issue)))


@main.command()
@click.argument("soort", metavar="SOORT")
@click.argument("case", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Bestand (één document) of map (standaard: de huidige map).")
@click.option("--pdf", "as_pdf", is_flag=True, help="Zet de documenten ook om naar PDF (LibreOffice).")
@templates_option
@dossier_option
@today_option
@bijlagen_map_option
@_cache_options
@samenvoegen_option
@_verbosity_options
@handle_errors
def render(soort: str, case: Path, output: Path | None, as_pdf: bool, templates_dir: Path | None,
           dossier_nr: str | None, today: date | None, bijlagen_map: Path | None,
           samenvoegen: bool | None, cache_dir: Path | None, no_cache: bool) -> None:
    """Vul een Word-sjabloon met de gegevens van een casus.

    SOORT is de naam van het sjabloon zonder .docx (bijv. plan_van_aanpak, inspanningsrapportage)
    of 'alle'. Inspanningsrapportages worden per periode gemaakt. Ontbreken gegevens, dan bevat het
    document invulruimte; 'dossier check' zegt wat er ontbreekt.
    """
    settings = _settings(templates_dir=templates_dir, bijlagen_map=bijlagen_map, samenvoegen=samenvoegen,
                         **_cache_settings(cache_dir, no_cache))
    files = api.render_documents(soort, case, output=output, pdf=as_pdf, dossier=dossier_nr, settings=settings,
                       today=_today(today))
    for f in files:
        click.echo(str(f))


@main.group()
def templates() -> None:
    """Sjablonen bekijken, exporteren en controleren (huisstijl van uw organisatie)."""


@templates.command("list")
@templates_option
@_verbosity_options
@handle_errors
def templates_list(templates_dir: Path | None) -> None:
    """Toon de sjablonen en waar ze staan (ingebouwd of eigen)."""
    for info in api.list_templates(templates_dir):
        click.echo(f"{info.name:32} {info.source:10} {info.path}")


@templates.command("export")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Bestaande bestanden overschrijven.")
@_verbosity_options
@handle_errors
def templates_export(dest: Path, force: bool) -> None:
    """Kopieer de ingebouwde sjablonen naar DEST om ze in Word of LibreOffice aan te passen."""
    for path in api.export_templates(dest, force=force):
        click.echo(str(path))
    click.echo(f"Pas de sjablonen aan en gebruik ze met --templates {dest} (of DOSSIER_TEMPLATES={dest}).",
               err=True)


@templates.command("check")
@click.argument("directory", type=click.Path(file_okay=False, exists=True, path_type=Path))
@_verbosity_options
@handle_errors
def templates_check(directory: Path) -> None:
    """Controleer de sjablonen in DIRECTORY: syntaxis, onbekende variabelen, door Word gebroken tags."""
    result = api.check_templates(directory)
    for issue in result.issues:
        click.echo(str(issue))
    click.echo(f"{result.errors} fout(en), {result.warnings} waarschuwing(en).", err=True)
    if result.errors:
        sys.exit(int(ExitCode.template_error))


@main.command()
@click.argument("case", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Het PDF-bestand (standaard: DOSSIERNUMMER.pdf in de huidige map).")
@click.option("--uwv", "uwv_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Schrijf ook de uploadset voor UWV (elk deel apart, met overzicht.txt) in deze map.")
@templates_option
@dossier_option
@today_option
@strict_option
@strict_alle_option
@wia_week_option
@click.option("--keep-work", is_flag=True, default=None, help="Bewaar de werkmap (voor foutzoeken).")
@pdfa_option
@ocr_option
@bijlagen_map_option
@_cache_options
@samenvoegen_option
@_verbosity_options
@handle_errors
def build(case: Path, output: Path | None, uwv_dir: Path | None, templates_dir: Path | None,
          dossier_nr: str | None, today: date | None, strict: bool | None, strict_alle: bool | None,
          wia_week: int | None, keep_work: bool | None, pdfa: bool | None, ocr: bool | None,
          bijlagen_map: Path | None, samenvoegen: bool | None,
          cache_dir: Path | None, no_cache: bool) -> None:
    """Bouw het complete, geïndexeerde PDF-re-integratiedossier van een casus.

    Voorblad, inhoudsopgave met paginanummers en links, alle documenten en bijlagen in de volgorde
    van UWV, bladwijzers en op elke pagina het dossiernummer en 'pagina X van Y'.
    """
    settings = _settings(templates_dir=templates_dir, strict=strict, strict_alle=strict_alle, keep_work=keep_work,
                         wia_aanvraag_week=wia_week, pdfa=pdfa, ocr=ocr, bijlagen_map=bijlagen_map,
                         samenvoegen=samenvoegen, **_cache_settings(cache_dir, no_cache))
    result = api.build(case, output=output, uwv_dir=uwv_dir, dossier=dossier_nr, settings=settings,
                       today=_today(today))
    _print_warnings(result.warnings)
    click.echo(str(result.pdf))
    for f in result.uwv_files:
        click.echo(str(f))
    log.info("%d pagina's; %s", result.pages, ", ".join(f"{k} {v:.2f} s" for k, v in result.seconds.items()))


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Uitvoermap; per casus een map met het dossiernummer als naam.")
@click.option("--soort", default="dossier", show_default=True, metavar="SOORT|dossier|alle",
              help="Wat per casus gemaakt wordt: een documentsoort, alle documenten, of het PDF-dossier.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None,
              help="Aantal parallelle workers (standaard: aantal processorkernen).")
@click.option("--skip-existing", is_flag=True, help="Sla casussen over waarvan de map al bestaat.")
@templates_option
@today_option
@wia_week_option
@pdfa_option
@ocr_option
@bijlagen_map_option
@_cache_options
@samenvoegen_option
@_verbosity_options
@handle_errors
def batch(inputs: tuple[Path, ...], out_dir: Path, soort: str, jobs: int | None, skip_existing: bool,
          templates_dir: Path | None, today: date | None, wia_week: int | None, pdfa: bool | None,
          ocr: bool | None, bijlagen_map: Path | None, samenvoegen: bool | None,
          cache_dir: Path | None, no_cache: bool) -> None:
    """Verwerk veel casussen tegelijk (CSV, Excel, JSON-lijst of een map met casusbestanden).

    Eén mislukte casus stopt de rest niet. Schrijft batch-rapport.json en batch-rapport.csv in de
    uitvoermap. Exitcode 0 als alles lukte, 7 als een of meer casussen mislukten.
    """
    settings = _settings(templates_dir=templates_dir, wia_aanvraag_week=wia_week, pdfa=pdfa, ocr=ocr,
                         bijlagen_map=bijlagen_map, samenvoegen=samenvoegen, **_cache_settings(cache_dir, no_cache))
    state = click.get_current_context().ensure_object(State)
    show = state.verbosity >= 0 and sys.stderr.isatty()
    bar = _ProgressLine() if show else None
    try:
        report = api.run_batch(list(inputs), out_dir, soort=soort, jobs=jobs, settings=settings,
                           today=_today(today), skip_existing=skip_existing, progress=bar)
    finally:
        if bar is not None:
            bar.close()
    if state.verbosity >= 0:
        click.echo(report.summary(), err=True)
    click.echo(str(out_dir / "batch-rapport.json"))
    if report.failed:
        raise api.BatchFailures(f"{report.failed} van {len(report.results)} casus(sen) mislukt; "
                            f"zie {out_dir / 'batch-rapport.csv'}")


@main.group("cache")
def cache_group() -> None:
    """De cache met gevulde en omgezette documenten bekijken en legen.

    Een nieuwe bouw van een ongewijzigd document komt uit de cache. De items bevatten
    persoonsgegevens: alleen de eigenaar kan ze lezen, en ze worden na hoogstens 30 dagen verwijderd
    (DOSSIER_CACHE_MAX_DAGEN); de omvang is begrensd (DOSSIER_CACHE_MAX_MB, standaard 2048 MB).
    """


def _when(ts: float | None) -> str:
    if ts is None:
        return "–"
    from datetime import datetime

    return datetime.fromtimestamp(ts).strftime("%d-%m-%Y %H:%M")


@cache_group.command("info")
@cache_dir_option
@_verbosity_options
@handle_errors
def cache_info(cache_dir: Path | None) -> None:
    """Toon waar de cache staat, hoeveel items hij heeft, hoe groot hij is en het oudste item."""
    info = api.cache_info(settings=_settings(cache_dir=cache_dir))
    soorten = ", ".join(f"{n} {k}" for k, n in sorted(info.by_kind.items()))
    click.echo(f"Locatie:  {info.location}")
    click.echo(f"Items:    {info.entries}" + (f" ({soorten})" if soorten else ""))
    click.echo(f"Omvang:   {info.bytes / 1024 / 1024:.1f} MB van maximaal {info.max_bytes / 1024 / 1024:.0f} MB")
    click.echo(f"Oudste:   {_when(info.oldest)} (items worden na {info.max_age_days:g} dagen verwijderd)")
    click.echo(f"Nieuwste: {_when(info.newest)}")


@cache_group.command("clear")
@cache_dir_option
@click.option("--dossier", "dossier_nr", metavar="NUMMER", default=None,
              help="Verwijder alleen de items van dit dossier.")
@_verbosity_options
@handle_errors
def cache_clear(cache_dir: Path | None, dossier_nr: str | None) -> None:
    """Leeg de cache, of verwijder met --dossier alleen de items van één dossier."""
    n = api.cache_clear(settings=_settings(cache_dir=cache_dir), dossier=dossier_nr)
    what = f" van dossier {dossier_nr}" if dossier_nr else ""
    click.echo(f"{n} item(s){what} uit de cache verwijderd.", err=True)


@main.command()
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Gegevensmap met de database (standaard: $XDG_DATA_HOME/dossier, ~/.local/share/dossier).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Adres om op te luisteren.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Poort.")
@click.option("--token", envvar="DOSSIER_TOKEN", show_envvar=True, default=None,
              help="Aanmeldtoken voor de pagina's en de API (standaard: elke start een nieuw).")
@click.option("--gebruiker", default=None, metavar="NAAM",
              help="Naam die bij elke opgeslagen versie wordt vastgelegd (standaard: de gebruiker van het systeem).")
@click.option("--import", "imports", multiple=True, type=click.Path(exists=True, path_type=Path),
              metavar="PAD", help="Importeer eerst de casussen uit dit bestand of deze map (bestaande worden "
                                  "overgeslagen); mag vaker.")
@today_option
@_verbosity_options
@handle_errors
def serve(data_dir: Path | None, host: str, port: int, token: str | None, gebruiker: str | None,
          imports: tuple[Path, ...], today: date | None) -> None:
    """Start de webapplicatie en de HTTP-API (werkvoorraad, casussen, tijdlijn).

    Maakt de gegevensmap en de database bij de eerste start. Toont de link met het aanmeldtoken;
    de API gebruikt hetzelfde token (Authorization: Bearer TOKEN).
    """
    import secrets

    from dossier.web import WebConfig, default_data_dir, default_user, import_cases, missing
    from dossier.web import serve as run_server

    if missing():
        raise api.MissingDependencyError(f"de webapplicatie is niet geïnstalleerd ({', '.join(missing())} "
                                         "ontbreekt); installeer met: pip install 'dossier[web]'")

    config = WebConfig(data_dir=data_dir or default_data_dir(), token=token or secrets.token_urlsafe(24),
                       gebruiker=gebruiker or default_user(), today=today)
    if imports:
        done, skipped = import_cases(config, list(imports))
        click.echo(f"{done} casus(sen) geïmporteerd, {skipped} bestonden al.", err=True)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"dossier draait; gegevens in {config.data_dir}\n"
               f"Open in de browser: http://{shown}:{port}/login?token={config.token}\n"
               f"API: http://{shown}:{port}/api/v1 (Authorization: Bearer <token>); stoppen met Ctrl-C.", err=True)
    run_server(config, host=host, port=port)


_data_option = click.option(
    "--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Gegevensmap van de webapplicatie (standaard: $XDG_DATA_HOME/dossier, ~/.local/share/dossier).")


@main.command()
@click.argument("archive", metavar="BESTAND", type=click.Path(dir_okay=False, path_type=Path))
@_data_option
@_verbosity_options
@handle_errors
def backup(archive: Path, data_dir: Path | None) -> None:
    """Maak een reservekopie van de webapplicatie: de database en de opgeslagen bestanden in één archief.

    Kan terwijl de server draait (SQLite online backup). Het archief bevat persoonsgegevens:
    bewaar het even zorgvuldig als de gegevensmap zelf.
    """
    result = api.backup(archive, data_dir=data_dir or api.default_data_dir())
    click.echo(f"Reservekopie gemaakt: {result.casussen} casus(sen), {result.versies} versie(s), "
               f"{result.bestanden} bestand(en).", err=True)
    click.echo(str(result.archive))


@main.command()
@click.argument("archive", metavar="BESTAND", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_data_option
@click.option("--force", is_flag=True, help="Ook in een niet-lege gegevensmap: de huidige inhoud wordt eerst "
                                            "opzij gezet (naast de map, niets wordt gewist).")
@_verbosity_options
@handle_errors
def restore(archive: Path, data_dir: Path | None, force: bool) -> None:
    """Zet een reservekopie van 'dossier backup' terug in een (lege) gegevensmap.

    Stop de server eerst; start hem daarna opnieuw met dezelfde --data.
    """
    result = api.restore(archive, data_dir=data_dir or api.default_data_dir(), force=force)
    click.echo(f"Teruggezet in {result.data_dir}: {result.casussen} casus(sen), {result.versies} versie(s), "
               f"{result.bestanden} bestand(en).", err=True)


class _ProgressLine:
    """One self-overwriting progress line on stderr (only on a terminal)."""

    def __init__(self) -> None:
        self.width = 0

    def __call__(self, p: api.Progress) -> None:
        left = f", nog ~{_duration(p.remaining)}" if p.remaining is not None and p.done else ""
        text = (f"  {p.done}/{p.total} casussen, {p.failed} mislukt, {p.rate:.2f}/s{left}")
        sys.stderr.write("\r" + text.ljust(self.width))
        sys.stderr.flush()
        self.width = len(text)

    def close(self) -> None:
        sys.stderr.write("\r" + " " * self.width + "\r")
        sys.stderr.flush()


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    minutes, sec = divmod(int(seconds), 60)
    return f"{minutes} min {sec:02d} s" if minutes else f"{sec} s"


def run(argv: list[str] | None = None) -> None:
    """Console entry point: like ``main()``, but usage errors exit with 1 (click uses 2, which is
    our "invalid data" code), Ctrl-C exits with 130, SIGTERM with 143 and SIGHUP with 129 — each after
    the same clean-up."""
    # Everything this process (and LibreOffice under it) creates holds personal data: owner only.
    os.umask(0o077)
    try:
        with api.stop_on_signals():
            result = main.main(args=argv, prog_name="dossier", standalone_mode=False)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except click.UsageError as e:
        e.show()
        sys.exit(int(ExitCode.bad_args))
    except click.ClickException as e:
        e.show()
        sys.exit(int(ExitCode.bad_args))
    except click.Abort as e:
        _aborted(e.__cause__ or e.__context__)
    except KeyboardInterrupt as e:
        _aborted(e)
    sys.exit(result if isinstance(result, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    run()
