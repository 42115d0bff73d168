"""A new organizer's first run: the server prints a one-time setup link, which sets the
password in the browser – no shell needed after `make run`."""

import re
from pathlib import Path

import httpx

from tests.conftest import SECRET
from tests.live import ServerProcess


def test_the_server_prints_a_setup_link_that_works_once(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path, SECRET)
    server.start()
    try:
        found = re.search(r"(http://\S+/admin/setup\?token=\S+)", server.log.read_text())
        assert found, server.log.read_text()
        link = found.group(1)
        assert link.startswith(server.base_url)
        with httpx.Client(follow_redirects=False) as browser:
            assert browser.get(link).status_code == 200
            token = link.split("token=")[1]
            done = browser.post(f"{server.base_url}/admin/setup",
                                data={"token": token, "password": "unser Regionalbüro",
                                      "again": "unser Regionalbüro"},
                                headers={"Origin": server.base_url})
            assert done.status_code == 303, done.text
            assert "Abmelden" in browser.get(f"{server.base_url}/admin").text
        assert httpx.get(link).status_code == 410  # once only
    finally:
        server.stop()
