"""A throwaway PostgreSQL cluster for tests and benchmarks.

PostgreSQL refuses to run as root; as root the cluster belongs to the `postgres` user (or
`nobody`) and every command runs through `runuser`. The cluster lives in a fresh directory
under /tmp, listens on 127.0.0.1 on a free port and trusts local connections.
"""

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql

from app.db.backup import postgres_program
from tests.live import free_port

USER = "zukunft"


def pg_bin() -> Path | None:
    """The newest installed PostgreSQL's binaries (`PG_BIN` overrides)."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    initdb = postgres_program("initdb")
    return Path(initdb).parent if initdb else None


def _owner() -> str | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RuntimeError("no unprivileged user to run PostgreSQL as (postgres or nobody)")


class PgCluster:
    """`start()` runs initdb and pg_ctl; `url(name)` is the SQLAlchemy URL of a database."""

    def __init__(self, *, durable: bool = False) -> None:
        binaries = pg_bin()
        if binaries is None:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
        self.bin = binaries
        self.durable = durable
        self.port = free_port()
        self.base = Path(tempfile.mkdtemp(prefix="zukunft-pg-"))
        self.data = self.base / "data"
        self.owner = _owner()

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.owner is not None:
            command = ["runuser", "-u", self.owner, "--", *command]
        subprocess.run(command, check=True, capture_output=True, cwd=self.base)

    def start(self) -> "PgCluster":
        if self.owner is not None:
            shutil.chown(self.base, self.owner)
        self._run("initdb", "-D", str(self.data), "-U", USER, "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        options = [f"-p {self.port}", "-c listen_addresses=127.0.0.1",
                   f"-c unix_socket_directories={self.base}", "-c max_connections=300"]
        if not self.durable:
            # Tests need no crash safety from the cluster itself; benchmarks keep the default.
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.base / "log"), "-w",
                  "-o", " ".join(options), "start")
        return self

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{database}"

    def _admin(self) -> psycopg.Connection:
        return psycopg.connect(f"host=127.0.0.1 port={self.port} user={USER} dbname=postgres",
                               autocommit=True)

    def create_database(self, name: str, template: str | None = None) -> str:
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            query += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        with self._admin() as conn:
            conn.execute(query)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        with self._admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                         .format(sql.Identifier(name)))
