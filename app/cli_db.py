"""`zukunft db …`: bring the schema up to date, copy and back up the database; and the
options every command of app/cli.py shares. As there, a command imports what it needs when it
runs, so that --help starts without SQLAlchemy and Alembic."""

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from app.config import Settings
from app.errors import DomainError

db_cli = typer.Typer(help="Datenbank verwalten.", no_args_is_help=True)

DatabaseUrl = Annotated[str | None, typer.Option("--database-url", envvar="DATABASE_URL",
                                                 help="SQLAlchemy-URL der Datenbank.")]


def settings_from(**overrides: Any) -> Settings:
    """The settings from the environment, with the options given on the command line."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


@db_cli.command("upgrade")
def db_upgrade(database_url: DatabaseUrl = None) -> None:
    """Bringt das Datenbankschema auf den neuesten Stand."""
    from app import db as database

    settings = settings_from(database_url=database_url)
    database.upgrade(settings.resolved_database_url)
    typer.echo("Datenbank ist auf dem neuesten Stand.")


@db_cli.command("copy")
def db_copy(
    source: Annotated[str, typer.Option("--from", help="Quelle: SQLAlchemy-URL oder Pfad einer "
                                                       "SQLite-Datei.")],
    target: Annotated[str, typer.Option("--to", help="Ziel (leer), z. B. "
                                                     "postgresql+psycopg://…")],
) -> None:
    """Kopiert alle Workshops in eine andere, leere Datenbank und prüft die Kopie."""
    from app.db import backup as dbcopy

    def progress(table: str, rows: int) -> None:
        typer.echo(f"\r{table}: {rows} Zeilen", nl=False)

    try:
        checks = dbcopy.copy_database(dbcopy.database_url(source), dbcopy.database_url(target),
                                      progress=progress)
    except DomainError as exc:
        typer.echo("")
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    typer.echo("\r" + " " * 40 + "\r", nl=False)
    for check in checks:
        typer.echo(f"{check.table:<22} {check.rows:>8} Zeilen  sha256 {check.checksum[:16]}")
    typer.echo(f"Kopiert und geprüft: {sum(c.rows for c in checks)} Zeilen in "
               f"{len(checks)} Tabellen, Anzahl und Prüfsummen stimmen überein.")


@db_cli.command("backup")
def db_backup(
    database_url: DatabaseUrl = None,
    to: Annotated[Path | None, typer.Option("--to", help="Zieldatei; ohne Angabe "
                                            "data/backups/ mit Datum und Uhrzeit.")] = None,
) -> None:
    """Sichert die Datenbank im laufenden Betrieb (SQLite: Online-Backup, PostgreSQL: pg_dump)."""
    from app import db as database
    from app.db import backup as dbcopy

    settings = settings_from(database_url=database_url)
    url = settings.resolved_database_url
    if to is None:
        stamp = datetime.now().strftime("%Y-%m-%d-%H%M%S")
        suffix = "dump" if database.is_postgres(url) else "sqlite3"
        to = settings.data_dir / "backups" / f"zukunft-{stamp}.{suffix}"
    try:
        written = dbcopy.backup(url, to)
    except DomainError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"Gesichert: {written} ({written.stat().st_size / 1e6:.1f} MB)")
