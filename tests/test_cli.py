"""The `zukunft` command: validate, load (prints slug, code and links), db upgrade."""

from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from app import db as database
from app.cli import cli, lan_address
from app.models import Field, Workshop
from tests.factories import ROOT, WESTHARZ

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}", "DATA_DIR": str(tmp_path),
            "BASE_URL": "https://zk.example.org", "SECRET_KEY": "cli-secret"}


def test_validate_good_and_broken_files(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["validate", str(WESTHARZ)])
    assert result.exit_code == 0
    assert "5 Handlungsfelder, 60 Themen" in result.output
    broken = tmp_path / "broken.toml"
    broken.write_text("title = 'x'\n[[fields]]\nkey = 'hf1'\ntitle = 'A'\n", encoding="utf-8")
    result = runner.invoke(cli, ["validate", str(broken)])
    assert result.exit_code == 1
    assert f"{broken}: region: fehlt" in result.output


def test_load_creates_workshop_and_prints_links(env: dict[str, str]) -> None:
    result = runner.invoke(cli, ["load", str(WESTHARZ)], env=env)
    assert result.exit_code == 0, result.output
    db = database.Database(env["DATABASE_URL"])
    with db.session() as session:
        workshop = session.exec(select(Workshop)).one()
        assert len(session.exec(select(Field)).all()) == 7
    db.dispose()
    assert "Slug:            westharz" in result.output
    assert f"Code:            {workshop.join_code}" in result.output
    assert f"https://zk.example.org/j/{workshop.join_code}" in result.output
    assert "https://zk.example.org/w/westharz/facilitate?token=" in result.output


def test_load_broken_file_creates_nothing(env: dict[str, str], tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text((ROOT / "workshops" / "blank.toml").read_text(encoding="utf-8")
                      .replace('kind = "lag"', 'kind = "wichtig"'), encoding="utf-8")
    result = runner.invoke(cli, ["load", str(broken)], env=env)
    assert result.exit_code == 1
    assert "fields[0].themes[0].kind: muss einer dieser Werte sein" in result.output
    assert not (tmp_path / "cli.sqlite3").exists()


def test_db_upgrade_creates_schema(env: dict[str, str]) -> None:
    result = runner.invoke(cli, ["db", "upgrade"], env=env)
    assert result.exit_code == 0
    db = database.Database(env["DATABASE_URL"])
    with db.session() as session:
        assert session.exec(select(Workshop)).all() == []
    db.dispose()


def test_lan_address_is_an_ipv4_address() -> None:
    parts = lan_address().split(".")
    assert len(parts) == 4 and all(p.isdigit() for p in parts)


def test_serve_lan_puts_the_lan_address_into_links(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys
    import time

    from tests.live import free_port

    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'lan.sqlite3'}",
           "DATA_DIR": str(tmp_path), "SECRET_KEY": "lan-secret"}
    env.pop("BASE_URL", None)
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "app", "serve", "--lan", "--port", str(port), "--demo",
             str(WESTHARZ)], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while "Server läuft" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        output = log.read_text()
    finally:
        process.terminate()
        process.wait(timeout=10)
    address = lan_address()
    assert f"Mitmachen:       http://{address}:{port}/j/" in output
    assert "█" in output  # the QR code for the terminal


def test_admin_set_password_from_stdin(env: dict[str, str]) -> None:
    from app import access

    short = runner.invoke(cli, ["admin", "set-password", "--password-stdin"], input="kurz\n",
                          env=env)
    assert short.exit_code == 1 and "mindestens 10 Zeichen" in short.output
    result = runner.invoke(cli, ["admin", "set-password", "--password-stdin"],
                           input="ein langes Passwort\n", env=env)
    assert result.exit_code == 0, result.output
    assert "https://zk.example.org/admin" in result.output
    db = database.Database(env["DATABASE_URL"])
    with db.session() as session:
        assert access.check_organizer_password(session=session, password="ein langes Passwort")
        assert not access.check_organizer_password(session=session, password="falsch")
    db.dispose()


def test_export_writes_the_file(env: dict[str, str], tmp_path: Path) -> None:
    runner.invoke(cli, ["load", str(WESTHARZ)], env=env)
    target = tmp_path / "doku.docx"
    result = runner.invoke(cli, ["export", "westharz", "--format", "docx", "--output",
                                 str(target)], env=env)
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"PK") and "0 Karten" in result.output
    wrong = runner.invoke(cli, ["export", "westharz", "--format", "odt"], env=env)
    assert wrong.exit_code == 2 and "Unbekanntes Format" in wrong.output
    missing = runner.invoke(cli, ["export", "nirgendwo"], env=env)
    assert missing.exit_code == 1 and "gibt es nicht" in missing.output


def test_load_again_asks_and_updates_or_copies(env: dict[str, str], tmp_path: Path) -> None:
    """A corrected file loaded again does not silently make a second workshop."""
    assert runner.invoke(cli, ["load", str(WESTHARZ)], env=env).exit_code == 0
    again = runner.invoke(cli, ["load", str(WESTHARZ)], env=env)
    assert again.exit_code == 2 and "--update" in again.output and "--as-new" in again.output
    corrected = tmp_path / "westharz.toml"
    corrected.write_text(WESTHARZ.read_text(encoding="utf-8").replace(
        'title = "Zukunftskonferenz Westharz"', 'title = "Zukunftskonferenz Westharz 2026"'),
        encoding="utf-8")
    updated = runner.invoke(cli, ["load", "--update", str(corrected)], env=env)
    assert updated.exit_code == 0, updated.output
    copied = runner.invoke(cli, ["load", "--as-new", str(WESTHARZ)], env=env)
    assert copied.exit_code == 0 and "Slug:            westharz-2" in copied.output
    db = database.Database(env["DATABASE_URL"])
    with db.session() as session:
        titles = sorted(w.title for w in session.exec(select(Workshop)))
    db.dispose()
    assert titles == ["Zukunftskonferenz Westharz", "Zukunftskonferenz Westharz 2026"]


def test_load_prints_links_with_the_configured_port(env: dict[str, str]) -> None:
    local = {**env, "BASE_URL": "", "PORT": "8123"}
    result = runner.invoke(cli, ["load", str(WESTHARZ)], env=local)
    assert result.exit_code == 0 and "http://localhost:8123/j/" in result.output
    other = runner.invoke(cli, ["load", "--as-new", "--port", "9000", str(WESTHARZ)], env=local)
    assert "http://localhost:9000/j/" in other.output


def test_workshop_delete_and_purge_expired(env: dict[str, str]) -> None:
    assert runner.invoke(cli, ["load", str(WESTHARZ)], env=env).exit_code == 0
    refused = runner.invoke(cli, ["workshop", "delete", "westharz"], env=env, input="n\n")
    assert refused.exit_code == 1
    gone = runner.invoke(cli, ["workshop", "delete", "westharz", "--yes"], env=env)
    assert gone.exit_code == 0 and "Gelöscht: „Zukunftskonferenz Westharz“" in gone.output
    unknown = runner.invoke(cli, ["workshop", "delete", "westharz", "--yes"], env=env)
    assert unknown.exit_code == 1 and "gibt es nicht" in unknown.output
    assert runner.invoke(cli, ["load", str(WESTHARZ)], env=env).exit_code == 0
    nothing = runner.invoke(cli, ["workshop", "purge-expired"], env=env)
    assert "Kein Workshop" in nothing.output  # its date is in the future or kept 6 months
    db = database.Database(env["DATABASE_URL"])
    with db.transaction() as session:
        workshop = session.exec(select(Workshop)).one()
        workshop.retain_until = workshop.created_at.date().replace(year=2020)
    db.dispose()
    purged = runner.invoke(cli, ["workshop", "purge-expired"], env=env)
    assert "Gelöscht: Zukunftskonferenz Westharz (aufbewahrt bis" in purged.output
