"""A full disk and a read-only disk under a running server: users get a clear German 503 with
Retry-After, never a generic 500; nothing acknowledged is lost; it works again once the disk
does. And a read-only database at start-up: one clear line, no traceback."""

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from app import db as database
from app.config import Settings
from app.main import create_app
from tests.conftest import SECRET
from tests.factories import ROOT, make_workshop
from tests.live import ServerProcess


@contextmanager
def small_disk(path: Path, size: str = "3m") -> Iterator[Path]:
    """A real file system of its own that can fill up (a tmpfs; needs root, as `make test`
    runs here and in CI)."""
    path.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(disk: Path) -> Path:
    """Write a file until the disk is full."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as handle:  # nothing left over to fail on close
        try:
            while True:
                handle.write(b"\0" * 16384)
                handle.flush()
        except OSError:
            pass
    return filler


@pytest.fixture
def room_on_small_disk(tmp_path: Path) -> Iterator[tuple[ServerProcess, str, str, Path]]:
    with small_disk(tmp_path / "disk") as disk:
        server = ServerProcess(disk, SECRET)
        server.start()
        try:
            db = database.Database(server.database_url)
            with db.transaction() as session:
                workshop = make_workshop(session)
            db.dispose()
            token = httpx.post(f"{server.base_url}/api/v1/join",
                               json={"code": workshop.join_code}).json()["participant_token"]
            yield server, workshop.slug, token, disk
        finally:
            server.stop()


def _post(server: ServerProcess, slug: str, token: str, n: int) -> httpx.Response:
    return httpx.post(f"{server.base_url}/api/v1/workshops/{slug}/cards", timeout=30,
                      headers={"Authorization": f"Bearer {token}"},
                      json={"field": "hf1", "category": "ideas", "text": f"Karte {n} " + "x" * 400,
                            "client_id": f"c{n}"})


def test_a_full_disk_asks_to_try_again_and_loses_nothing(
        room_on_small_disk: tuple[ServerProcess, str, str, Path]) -> None:
    server, slug, token, disk = room_on_small_disk
    filler = fill(disk)
    acknowledged, refused = [], None
    for n in range(400):
        response = _post(server, slug, token, n)
        if response.status_code == 201:
            acknowledged.append(response.json()["id"])
            continue
        refused = response
        break
    assert refused is not None, "the disk never filled up"
    assert refused.status_code == 503, refused.text
    assert "nicht speicherbar" in refused.json()["detail"]
    assert int(refused.headers["retry-after"]) > 0
    page = httpx.post(f"{server.base_url}/j/NOPE")  # a page, not the API: a German page
    assert page.status_code in (404, 503)
    filler.unlink()
    again = _post(server, slug, token, 1000)
    assert again.status_code == 201, again.text
    stored = {card["id"] for card in httpx.get(
        f"{server.base_url}/api/v1/workshops/{slug}/cards").json()}
    assert set(acknowledged) | {again.json()["id"]} <= stored


def test_a_read_only_database_asks_to_try_again(tmp_path: Path) -> None:
    path = tmp_path / "zukunft.sqlite3"
    database.upgrade(f"sqlite:///{path}")
    writable = database.Database(f"sqlite:///{path}")
    with writable.transaction() as session:
        workshop = make_workshop(session)
    writable.dispose()
    settings = Settings(data_dir=tmp_path, secret_key=SECRET, base_url="http://testserver",
                        database_url=f"sqlite:///file:{path}?mode=ro&uri=true")
    with TestClient(create_app(settings, upgrade=False)) as client:
        assert client.get(f"/w/{workshop.slug}/board/hf1").status_code == 200  # reading works
        join = client.post("/api/v1/join", json={"code": workshop.join_code})
        assert join.status_code == 503, join.text
        assert "bitte gleich noch einmal" in join.json()["detail"]
        assert int(join.headers["retry-after"]) > 0
        page = client.post(f"/j/{workshop.join_code}", data={"name": ""})
        assert page.status_code == 503 and "nicht speicherbar" in page.text
        assert "<html" in page.text  # the German error page


def test_a_read_only_database_at_start_up_is_one_clear_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "DATA_DIR": str(data), "SECRET_KEY": SECRET}
    subprocess.run([sys.executable, "-m", "app", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    url = f"sqlite:///file:{data / 'zukunft.sqlite3'}?mode=ro&uri=true"
    started = subprocess.run([sys.executable, "-m", "app", "serve", "--port", "1"], cwd=ROOT,
                             env={**env, "DATABASE_URL": url}, capture_output=True, timeout=60)
    assert started.returncode == 1
    lines = started.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in started.stderr.decode()
    assert lines[0].startswith("Die Datenbank lässt sich nicht öffnen oder nicht beschreiben")
