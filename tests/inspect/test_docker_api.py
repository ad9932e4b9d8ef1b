"""The Engine API client's choices that need no daemon: which hosts it asks, and what an
answer it does not understand leads to (the docker CLI asks instead)."""

from __future__ import annotations

import http.server
import shutil
import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from stopsignal.inspect import docker_api, docker_engine
from stopsignal.inspect.facts import EngineUnreachable


@pytest.mark.parametrize(("host", "path"), [
    (None, "/var/run/docker.sock"),
    ("unix:///run/stopsignal-docker.sock", "/run/stopsignal-docker.sock"),
    ("unix://", "/var/run/docker.sock"),
    ("tcp://127.0.0.1:2375", None),
    ("ssh://user@host", None),
    ("npipe:////./pipe/docker_engine", None),
])
def test_only_unix_sockets_are_asked_directly(host: str | None, path: str | None) -> None:
    assert docker_api.socket_path(host) == path


@pytest.mark.parametrize(("server", "version"), [
    ("Docker/20.10.24+dfsg1 (linux)", "20.10.24+dfsg1"),
    ("Docker/28.2.2 (linux)", "28.2.2"),
    ("Libpod/5.4.2 (linux)", None),
    (None, None),
])
def test_the_version_in_the_server_header(server: str | None, version: str | None) -> None:
    assert docker_engine._server_version(server) == version


class Refusing(http.server.BaseHTTPRequestHandler):
    """A daemon that answers every request with an error it does not explain."""

    def do_GET(self) -> None:
        self.send_response(500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass

    def address_string(self) -> str:  # a unix socket has no client address
        return "local"


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


@pytest.fixture
def refusing(tmp_path: Path) -> Iterator[str]:
    path = str(tmp_path / "d.sock")
    server = Server(path, Refusing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"unix://{path}"
    server.shutdown()
    server.server_close()


def test_an_answer_not_understood_goes_to_the_cli(refusing: str) -> None:
    with pytest.raises(docker_api.ApiError) as error:
        docker_engine.list_running([], refusing, via="api")
    assert error.value.status == 500
    if shutil.which("docker") is None and not Path("/usr/bin/docker").exists():
        pytest.skip("the docker CLI is not installed (CI installs docker.io)")
    # The CLI then asks the same socket, and its words say so (the API's would be "HTTP 500").
    with pytest.raises(EngineUnreachable, match=r"Docker is not reachable at unix://.*d\.sock "
                       r"\(request returned Internal Server Error"):
        docker_engine.list_running([], refusing)
