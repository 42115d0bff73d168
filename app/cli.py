"""The `zukunft` command: serve, load and validate workshops, export the documentation; the
database commands are in app/cli_db.py.

Each command imports what it needs when it runs: `zukunft --help` and every command's --help
start without the web app, SQLAlchemy, matplotlib or WeasyPrint (docs/performance.md, Export).
"""

import os
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from app.cli_db import DatabaseUrl, db_cli
from app.cli_db import settings_from as _settings
from app.config import Settings
from app.errors import DomainError

if TYPE_CHECKING:
    from app.models import Workshop

cli = typer.Typer(help="Zukunftskonferenz: Workshops live durchführen und dokumentieren.",
                  no_args_is_help=True, add_completion=False)
cli.add_typer(db_cli, name="db")
admin_cli = typer.Typer(help="Zugang der Organisation verwalten.", no_args_is_help=True)
cli.add_typer(admin_cli, name="admin")


def lan_address() -> str:
    """The address other devices on the venue network reach this machine at."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            # connect() on UDP only picks the outgoing interface; no packet is sent.
            probe.connect(("192.0.2.1", 9))
            address: str = probe.getsockname()[0]
        except OSError:
            address = "127.0.0.1"
    return address


def workshop_info(settings: Settings, workshop: "Workshop", *, qr: bool = False) -> str:
    from app.auth import Tokens
    from app.qr import qr_text
    from app.web.urls import facilitator_url, join_url, overview_url

    base = settings.resolved_base_url
    token = Tokens(settings.resolved_secret_key).facilitator_token(workshop)
    lines = [
        f"Workshop:        {workshop.title}",
        f"Slug:            {workshop.slug}",
        f"Code:            {workshop.join_code}",
        f"Mitmachen:       {join_url(base, workshop.join_code)}",
        f"Übersicht:       {overview_url(base, workshop.slug)}",
        f"Moderation:      {facilitator_url(base, workshop.slug, token)}",
    ]
    if qr:
        lines.append(qr_text(join_url(base, workshop.join_code)))
    return "\n".join(lines)


@cli.command()
def validate(file: Annotated[Path, typer.Argument(help="Workshop-Definition (TOML).")]) -> None:
    """Prüft eine Workshop-Definition, ohne etwas anzulegen."""
    from app.definition import DefinitionError, load_definition

    try:
        definition = load_definition(file)
    except DefinitionError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    themes = sum(len(f.themes) + sum(len(s.themes) for s in f.subfields) for f in definition.fields)
    typer.echo(f"{file}: in Ordnung – {len(definition.fields)} Handlungsfelder, {themes} Themen.")


Host = Annotated[str | None, typer.Option(envvar="HOST", help="Adresse, z. B. 0.0.0.0")]
Port = Annotated[int | None, typer.Option(envvar="PORT", help="Port.")]


@cli.command()
def load(file: Annotated[Path, typer.Argument(help="Workshop-Definition (TOML).")],
         database_url: DatabaseUrl = None, host: Host = None, port: Port = None,
         update: Annotated[bool, typer.Option("--update", help="Einen Workshop mit diesem "
                                              "Slug ändern (Karten bleiben).")] = False,
         as_new: Annotated[bool, typer.Option("--as-new", help="Immer einen neuen Workshop "
                                              "anlegen (neue Adresse, neuer Code).")] = False,
         ) -> None:
    """Legt einen Workshop aus einer Definition an (oder ändert ihn) und zeigt Code und Links."""
    from sqlmodel import select

    from app import db as database
    from app.definition import DefinitionError, load_definition
    from app.models import Workshop
    from app.preparation import update_workshop
    from app.workshops import create_workshop

    settings = _settings(database_url=database_url, host=host, port=port)
    if update and as_new:
        typer.echo("Bitte nur eines von beiden: --update oder --as-new.", err=True)
        raise typer.Exit(2)
    try:
        definition = load_definition(file)
    except DefinitionError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    database.upgrade(settings.resolved_database_url)
    db = database.Database(settings.resolved_database_url)
    try:
        with db.transaction() as session:
            existing = (session.exec(select(Workshop).where(Workshop.slug == definition.slug))
                        .first() if definition.slug else None)
            if existing is not None and not (update or as_new):
                typer.echo(f"Einen Workshop „{definition.slug}“ gibt es schon. Mit --update wird "
                           "er geändert (Karten und Teilnehmende bleiben), mit --as-new entsteht "
                           "ein neuer mit eigener Adresse und eigenem Code.", err=True)
                raise typer.Exit(2)
            if existing is not None and update:
                workshop = update_workshop(session=session, workshop=existing,
                                           definition=definition, version=None)
            else:  # new, or --as-new: then with its own address ("-2") and code
                workshop = create_workshop(session=session, definition=definition)
    except DomainError as exc:
        typer.echo(exc.render(), err=True)
        raise typer.Exit(1) from exc
    finally:
        db.dispose()
    typer.echo(workshop_info(settings, workshop))


workshop_cli = typer.Typer(help="Workshops löschen und aufbewahren.", no_args_is_help=True)
cli.add_typer(workshop_cli, name="workshop")


@workshop_cli.command("delete")
def workshop_delete(slug: Annotated[str, typer.Argument(help="Slug des Workshops.")],
                    database_url: DatabaseUrl = None,
                    yes: Annotated[bool, typer.Option("--yes", help="Ohne Rückfrage.")] = False,
                    ) -> None:
    """Löscht einen Workshop mit allem, was dazugehört (Karten, Teilnehmende, Antworten …)."""
    from app import db as database
    from app import retention
    from app.workshops import get_workshop

    settings = _settings(database_url=database_url)
    db = database.Database(settings.resolved_database_url)
    try:
        with db.transaction() as session:
            workshop = get_workshop(session=session, slug=slug)
            title = workshop.title
            if not yes and not typer.confirm(f"„{title}“ und alles darin endgültig löschen?"):
                raise typer.Exit(1)
            removed = retention.delete_workshop(session=session, workshop=workshop,
                                                confirm=workshop.slug)
        db.scrub()
    except DomainError as exc:
        typer.echo(exc.render(), err=True)
        raise typer.Exit(1) from exc
    finally:
        db.dispose()
    typer.echo(f"Gelöscht: „{title}“ ({removed} Einträge).")


@workshop_cli.command("purge-expired")
def workshop_purge_expired(database_url: DatabaseUrl = None) -> None:
    """Löscht Workshops, deren Aufbewahrungsfrist abgelaufen ist (für einen täglichen Timer)."""
    from app import db as database
    from app import retention

    settings = _settings(database_url=database_url)
    db = database.Database(settings.resolved_database_url)
    try:
        with db.transaction() as session:
            gone = retention.purge_expired(session=session)
        db.scrub()
    finally:
        db.dispose()
    typer.echo("\n".join(f"Gelöscht: {line}" for line in gone) if gone
               else "Kein Workshop hat seine Aufbewahrungsfrist überschritten.")


@cli.command()
def export(
    slug: Annotated[str, typer.Argument(help="Kurzname des Workshops.")],
    format: Annotated[str, typer.Option("--format", "-f", help="html, pdf, docx, xlsx, md, "
                                        "json oder csv (ZIP).")] = "docx",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Zieldatei.")] = None,
    authors: Annotated[bool, typer.Option(help="Namen der Verfassenden zeigen.")] = False,
    rounds: Annotated[bool, typer.Option(help="Runde hinter jeder Karte: (R1), (R2).")] = False,
    charts: Annotated[bool, typer.Option(help="JSON: Diagramme, Fotos und Logos als Bilder "
                                         "einbetten.")] = False,
    delimiter: Annotated[str, typer.Option(help="Trennzeichen für CSV.")] = ";",
    database_url: DatabaseUrl = None,
) -> None:
    """Exportiert die Ergebnisdokumentation eines Workshops."""
    from app import db as database
    from app.report import ReportOptions, build_report
    from app.report.writers import FORMATS, filename, write
    from app.workshops import get_workshop

    if format not in FORMATS:
        typer.echo(f"Unbekanntes Format „{format}“; möglich: {', '.join(FORMATS)}", err=True)
        raise typer.Exit(2)
    settings = _settings(database_url=database_url)
    database.upgrade(settings.resolved_database_url)
    db = database.Database(settings.resolved_database_url)
    target = output or Path(filename(f"ergebnisdokumentation-{slug}", format))
    try:
        with db.session() as session:
            workshop = get_workshop(session=session, slug=slug)
            with typer.progressbar(length=5, label="Ergebnisdokumentation") as bar:
                def step(_name: str) -> None:
                    bar.update(1)

                report = build_report(session=session, workshop=workshop,
                                      options=ReportOptions(authors=authors, rounds=rounds,
                                                            charts=charts),
                                      progress=step)
                data = write(report, format, delimiter=delimiter)
                bar.update(1)
    except DomainError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    finally:
        db.dispose()
    target.write_bytes(data)
    typer.echo(f"{target}: {len(data) / 1024:.0f} KB, {report.stats.cards} Karten.")


@admin_cli.command("set-password")
def admin_set_password(
    database_url: DatabaseUrl = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin",
                                                 help="Passwort von der Standardeingabe lesen."
                                                 )] = False,
    name: Annotated[str, typer.Option("--name", help="Konto (fehlt es, wird es angelegt; "
                                      "das erste hat Adminrechte).")] = "admin",
) -> None:
    """Setzt das Passwort eines Kontos der Organisation (Anmeldung unter /admin)."""
    from app import db as database
    from app.access import set_organizer_password

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Neues Passwort", hide_input=True, confirmation_prompt=True)
    settings = _settings(database_url=database_url)
    database.upgrade(settings.resolved_database_url)
    db = database.Database(settings.resolved_database_url)
    try:
        with db.transaction() as session:
            set_organizer_password(session=session, password=password, name=name)
    except DomainError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    finally:
        db.dispose()
    typer.echo(f"Passwort gesetzt. Anmelden unter {settings.resolved_base_url}/admin")


@cli.command()
def serve(
    host: Host = None,
    port: Port = None,
    database_url: DatabaseUrl = None,
    lan: Annotated[bool, typer.Option("--lan", help="Im lokalen Netz erreichbar machen "
                                      "(WLAN des Veranstaltungsorts).")] = False,
    demo: Annotated[Path | None, typer.Option(help="Diese Definition laden, wenn es noch "
                                              "keinen Workshop gibt.")] = None,
    workers: Annotated[int, typer.Option(envvar="WORKERS", min=1, max=64,
                                         help="Serverprozesse; mehr als einer braucht "
                                              "PostgreSQL.")] = 1,
) -> None:
    """Startet den Server."""
    import uvicorn
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError
    from sqlmodel import col, select

    from app import db as database
    from app.access import organizer_configured
    from app.auth import SETUP_HOURS, Tokens
    from app.definition import DefinitionError, load_definition
    from app.main import create_app, tune_interpreter
    from app.models import Workshop
    from app.workshops import create_workshop

    settings = _settings(host=host, port=port, database_url=database_url)
    if lan:
        settings.host = "0.0.0.0"
        if not settings.base_url:
            settings.base_url = f"http://{lan_address()}:{settings.port}"
    url = settings.resolved_database_url
    if workers > 1 and not database.is_postgres(url):
        typer.echo("Mehrere Serverprozesse teilen Live-Boards und Ereignisse über PostgreSQL. "
                   "Bitte DATABASE_URL=postgresql+psycopg://… setzen (siehe docs/deploy.md) "
                   "oder mit einem Prozess starten.", err=True)
        raise typer.Exit(2)
    try:
        database.upgrade(url)
        db = database.Database(url)
        with db.session(write=True) as session:
            if demo is not None and session.exec(select(Workshop.id)).first() is None:
                create_workshop(session=session, definition=load_definition(demo))
            workshops = list(session.exec(select(Workshop).order_by(col(Workshop.id))))
            configured = organizer_configured(session=session)
            session.execute(text("UPDATE alembic_version SET version_num = version_num"))
            session.commit()  # the database takes writes: a read-only one is found out now
        db.dispose()
    except DefinitionError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    except DBAPIError as exc:
        reason = database.unavailable(exc) or str(exc.orig).strip().splitlines()[0]
        typer.echo(f"Die Datenbank lässt sich nicht öffnen oder nicht beschreiben ({reason}). "
                   f"Prüfen Sie Schreibrechte und freien Platz: {database.describe(url)}",
                   err=True)
        raise typer.Exit(1) from exc
    for workshop in workshops[-3:]:
        typer.echo(workshop_info(settings, workshop, qr=workshop is workshops[-1]))
        typer.echo("")
    if not configured:
        token = Tokens(settings.resolved_secret_key).setup_token()
        typer.echo(f"Einrichtung (einmalig, {SETUP_HOURS} Stunden gültig): Passwort der "
                   f"Organisation wählen unter\n  {settings.resolved_base_url}/admin/setup?token="
                   f"{token}\n")
    options: dict[str, Any] = {"host": settings.host, "port": settings.port,
                               "timeout_graceful_shutdown": 3, "log_level": "warning",
                               "proxy_headers": True}
    if workers == 1:
        app = create_app(settings, upgrade=False)
        typer.echo(f"Server läuft auf {settings.resolved_base_url} – beenden mit Strg+C.")
        tune_interpreter()
        uvicorn.run(app, **options)
        return
    # Each worker process builds its app from the environment: hand the settings on.
    os.environ.update(DATABASE_URL=url, BASE_URL=settings.resolved_base_url,
                      DATA_DIR=str(settings.data_dir.resolve()))
    settings.resolved_secret_key  # noqa: B018  (the key file exists before the workers read it)
    typer.echo(f"Server läuft mit {workers} Prozessen auf {settings.resolved_base_url} – "
               "beenden mit Strg+C.")
    uvicorn.run("app.main:app_from_environment", factory=True, workers=workers, **options)


def main() -> None:
    cli()
