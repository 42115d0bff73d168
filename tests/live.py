"""A real server process and a real SSE client, for tests that need the whole stack."""

import os
import queue
import socket
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.factories import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


class ServerProcess:
    """`python -m app serve` on a free port, on its own SQLite file unless given a database."""

    def __init__(self, data_dir: Path, secret: str, *, database_url: str | None = None,
                 args: tuple[str, ...] = (), **env: str) -> None:
        self.args = args
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url or f"sqlite:///{data_dir / 'live.sqlite3'}"
        self.env = {**os.environ, "DATABASE_URL": self.database_url, "SECRET_KEY": secret,
                    "BASE_URL": self.base_url, "DATA_DIR": str(data_dir), **env}
        self.log = data_dir / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "app", "serve", "--port", str(self.port), *self.args],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if httpx.get(f"{self.base_url}/", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()  # a server that missed its start leaves no process behind
        raise RuntimeError(f"server did not start:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(stack: ExitStack, data_dir: Path, secret: str, *, database: str = "sqlite",
                 workers: int = 1, **env: str) -> tuple[ServerProcess, int | None]:
    """For the benchmarks: a server on SQLite, or on a throwaway PostgreSQL cluster (durable,
    as in production) with `workers` processes; both stop when `stack` closes. Returns the
    server and the cluster's postmaster pid (None on SQLite)."""
    from tests.pgcluster import PgCluster

    url, database_pid = None, None
    if database == "postgresql":
        cluster = PgCluster(durable=True).start()
        stack.callback(cluster.stop)
        url = cluster.create_database("bench")
        database_pid = cluster.postmaster_pid()
    server = ServerProcess(data_dir, secret, database_url=url, args=("--workers", str(workers)),
                           **env)
    server.start()
    stack.callback(server.stop)
    return server, database_pid


def describe(database: str, workers: int) -> str:
    processes = "one server process" if workers == 1 else f"{workers} server processes"
    return f"{processes}, {'SQLite' if database == 'sqlite' else 'PostgreSQL'}"


@dataclass
class SSEMessage:
    event: str
    data: str
    id: str | None
    received_at: float = 0.0  # time.perf_counter() when the message was read off the wire


class SSEClient:
    """Reads a server-sent event stream in a thread; `next()` waits for the next message."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        self.messages: queue.Queue[SSEMessage | BaseException] = queue.Queue()
        self._client = httpx.Client(timeout=httpx.Timeout(5, read=None))
        self._stop = threading.Event()
        self._open = threading.Event()
        self.finished = threading.Event()
        self.status: int | None = None
        self.headers: dict[str, Any] = {}
        self._thread = threading.Thread(target=self._run, args=(url, headers or {}), daemon=True)
        self._thread.start()
        if not self._open.wait(10):
            raise TimeoutError(f"no response from {url}")

    def _run(self, url: str, headers: dict[str, str]) -> None:
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                self.status = response.status_code
                self.headers = dict(response.headers)
                self._open.set()
                event, data, last_id = "message", [], None
                for line in response.iter_lines():
                    if self._stop.is_set():
                        return
                    if line == "":
                        if data:
                            self.messages.put(SSEMessage(event, "\n".join(data), last_id,
                                                         time.perf_counter()))
                        event, data = "message", []
                    elif line.startswith(":"):
                        continue
                    else:
                        name, _, value = line.partition(":")
                        value = value[1:] if value.startswith(" ") else value
                        if name == "event":
                            event = value
                        elif name == "data":
                            data.append(value)
                        elif name == "id":
                            last_id = value
        except BaseException as exc:  # reported through next()
            self._open.set()
            if not self._stop.is_set():
                self.messages.put(exc)
        finally:
            self.finished.set()

    def next(self, timeout: float = 5.0) -> SSEMessage:
        item = self.messages.get(timeout=timeout)
        if isinstance(item, BaseException):
            raise item
        return item

    def next_of(self, event: str, timeout: float = 5.0) -> SSEMessage:
        deadline = time.monotonic() + timeout
        while True:
            message = self.next(max(0.01, deadline - time.monotonic()))
            if message.event == event:
                return message

    def close(self) -> None:
        self._stop.set()
        self._client.close()
