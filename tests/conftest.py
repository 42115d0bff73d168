"""Fixtures: a real database per test (a SQLite file, or a database of a throwaway PostgreSQL
cluster), the app, a client, and recorded events."""

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app import db as database
from app.config import Settings
from app.live.events import DomainEvent
from app.main import create_app
from app.models import Workshop
from tests.factories import make_workshop
from tests.pgcluster import PgCluster

if TYPE_CHECKING:
    from tests.live import ServerProcess

SECRET = "test-secret-key-that-is-long-enough-for-hmac"


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database migrated through Alembic; each test gets a copy of the file."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    database.upgrade(f"sqlite:///{path}")
    return path


PG_TEMPLATE = "zukunft_template"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Service and HTTP tests run on SQLite and on PostgreSQL; browser tests and tests marked
    `sqlite_only` (SQLite's own settings, the crash test's file) on SQLite alone."""
    if "backend" not in metafunc.fixturenames:
        return
    sqlite_only = (metafunc.definition.get_closest_marker("sqlite_only") is not None
                   or "browser" in metafunc.definition.path.parts)
    metafunc.parametrize("backend", ["sqlite"] if sqlite_only else ["sqlite", "postgresql"],
                         indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """A throwaway PostgreSQL server for the whole run, with a migrated template database."""
    cluster = PgCluster().start()
    try:
        database.upgrade(cluster.create_database(PG_TEMPLATE))
        yield cluster
    finally:
        cluster.stop()


def pg_database(request: pytest.FixtureRequest, *, migrated: bool) -> Iterator[str]:
    """A database of its own on the session's cluster, dropped afterwards."""
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    name = f"test_{uuid.uuid4().hex[:16]}"
    yield cluster.create_database(name, template=PG_TEMPLATE if migrated else None)
    cluster.drop_database(name)


@pytest.fixture
def db_url(backend: str, tmp_path: Path, migrated_template: Path,
           request: pytest.FixtureRequest) -> Iterator[str]:
    if backend == "postgresql":
        yield from pg_database(request, migrated=True)
        return
    path = tmp_path / "zukunft.sqlite3"
    shutil.copy(migrated_template, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def empty_db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A database without any tables yet."""
    if backend == "postgresql":
        yield from pg_database(request, migrated=False)
        return
    yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"


@dataclass
class RecordedEvents:
    """A bus that keeps what services published."""

    published: list[DomainEvent] = field(default_factory=list)

    def publish(self, event: DomainEvent) -> None:
        self.published.append(event)

    def kinds(self) -> list[str]:
        return [event.kind for event in self.published]


@pytest.fixture
def events() -> RecordedEvents:
    return RecordedEvents()


@pytest.fixture
def db(db_url: str, events: RecordedEvents) -> Iterator[database.Database]:
    database_ = database.Database(db_url, bus=events)
    yield database_
    database_.dispose()


@pytest.fixture
def session(db: database.Database) -> Iterator[Session]:
    with db.session(write=True) as session_:
        yield session_


@pytest.fixture
def workshop(session: Session) -> Workshop:
    """The Westharz demo workshop."""
    return make_workshop(session, westharz=True)


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=db_url, secret_key=SECRET,
                    base_url="http://testserver", max_body_bytes=16 * 1024)


@pytest.fixture
def app(settings: Settings):  # type: ignore[no-untyped-def]
    return create_app(settings, upgrade=False)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, follow_redirects=False) as client_:
        yield client_


@pytest.fixture
def app_workshop(app) -> Workshop:  # type: ignore[no-untyped-def]
    """The Westharz demo workshop in the app's database."""
    with app.state.context.db.transaction() as session_:
        return make_workshop(session_, westharz=True)


class AuthActions:
    """Join and sign in through the real routes."""

    def __init__(self, client: TestClient, app, workshop: Workshop) -> None:  # type: ignore[no-untyped-def]
        self.client = client
        self.app = app
        self.workshop = workshop

    def participant_token(self, name: str = "") -> str:
        response = self.client.post("/api/v1/join", json={"code": self.workshop.join_code,
                                                          "name": name})
        assert response.status_code == 201, response.text
        token: str = response.json()["participant_token"]
        return token

    def participant_headers(self, name: str = "") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.participant_token(name)}"}

    def facilitator_token(self) -> str:
        token: str = self.app.state.context.tokens.facilitator_token(self.workshop)
        return token

    def facilitator_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.facilitator_token()}"}

    def join_in_browser(self, name: str = "") -> None:
        """Join through the HTML form; the client keeps the participant cookie."""
        response = self.client.post(f"/j/{self.workshop.join_code}", data={"name": name})
        assert response.status_code == 303, response.text

    def facilitate_in_browser(self) -> None:
        response = self.client.get(f"/w/{self.workshop.slug}/facilitate",
                                   params={"token": self.facilitator_token()})
        assert response.status_code == 303, response.text


@pytest.fixture
def auth(client: TestClient, app, app_workshop: Workshop) -> AuthActions:  # type: ignore[no-untyped-def]
    return AuthActions(client, app, app_workshop)


def serve_live(tmp_path_factory: pytest.TempPathFactory,
               database_url: str | None = None) -> Iterator["ServerProcess"]:
    from tests.live import ServerProcess

    server = ServerProcess(tmp_path_factory.mktemp("live"), SECRET, database_url=database_url)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def live_server(request: pytest.FixtureRequest,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator["ServerProcess"]:
    """The real server as a separate process, shared by the tests that need one: once on its
    own SQLite file, once on PostgreSQL (where its boards follow LISTEN/NOTIFY)."""
    url = None
    if request.param == "postgresql":
        cluster: PgCluster = request.getfixturevalue("pg_cluster")
        url = cluster.create_database("live", template=PG_TEMPLATE)
    yield from serve_live(tmp_path_factory, url)


@pytest.fixture
def live_workshop(live_server: "ServerProcess") -> Workshop:
    """A fresh Westharz workshop in the live server's database."""
    live_db = database.Database(live_server.database_url)
    with live_db.transaction() as session_:
        workshop_ = make_workshop(session_, westharz=True)
    live_db.dispose()
    return workshop_
