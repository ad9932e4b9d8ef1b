"""The Docker Engine API over its unix socket: the few GETs ``inspect`` asks, as JSON.

``inspect --on docker`` asks the daemon three things: its version, the running
containers, and each one's configuration (stop signal, stop timeout, PID). Through the
engine's CLI that is three more processes, each a Go start-up, and ``docker inspect``
asks the daemon once per container anyway. Asked directly, the same answers come over
one or two keep-alive connections.

A small client rather than docker-py: ``import docker`` alone takes 0.11-0.14 s here
(docker 7.2 with requests, urllib3, charset_normalizer, idna and certifi; the middle two
of 6 runs of ``python -X importtime -c "import docker"``), more than the benchmark's goal
for the whole inspect of 100 containers (2x ``docker ps``: 0.07-0.09 s);
``http.client`` takes 0.025 s (most of it the email.parser and ssl it imports). What is
needed is an HTTP/1.1 GET over an AF_UNIX socket: ``http.client`` does the protocol
(status line, headers, chunked bodies, keep-alive); this module only connects it to the
socket and turns answers into JSON or an :class:`ApiError`.

Paths are unversioned (``/containers/json``): the daemon then answers in its own API
version, so no version has to be negotiated; ``DOCKER_API_VERSION`` pins one, as it does
for the CLI.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
from typing import Any

DEFAULT_SOCKET = "/var/run/docker.sock"


class ApiError(Exception):
    """The daemon answered, but not with what was asked for."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message


class UnixConnection(http.client.HTTPConnection):
    """An HTTP connection to a unix socket (the Host header is a placeholder)."""

    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.socket_file = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.socket_file)
        except OSError:
            sock.close()
            raise
        self.sock = sock


def socket_path(host: str | None) -> str | None:
    """The socket of a ``unix://`` host (unset: Docker's default); None for any other."""
    if not host:
        return DEFAULT_SOCKET
    if host.startswith("unix://"):
        return host[len("unix://"):] or DEFAULT_SOCKET
    return None


class EngineApi:
    """GETs to one daemon, over a keep-alive connection opened at the first request."""

    def __init__(self, path: str, timeout: float = 60) -> None:
        self.connection = UnixConnection(path, timeout)
        self.server: str | None = None  # the last answer's Server header
        pinned = os.environ.get("DOCKER_API_VERSION")
        self.prefix = f"/v{pinned}" if pinned else ""

    def get(self, path: str) -> Any:
        """The JSON the daemon answers; ``ApiError`` unless it is 200 and JSON.

        OSError (no socket, refused, timed out) passes through. A connection the daemon
        closed while idle is opened again once, as http.client does not.
        """
        for attempt in (1, 2):
            try:
                self.connection.request("GET", self.prefix + path)
                response = self.connection.getresponse()
                body = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.connection.close()
                if attempt == 2:
                    raise
            except http.client.HTTPException as error:  # not HTTP: not a Docker daemon
                self.connection.close()
                raise ApiError(0, f"not an HTTP answer ({error!r})") from None
        self.server = response.getheader("Server")
        if response.status != 200:
            raise ApiError(response.status, _message(body))
        try:
            return json.loads(body)
        except ValueError:
            raise ApiError(response.status, "the answer is not JSON") from None

    def close(self) -> None:
        self.connection.close()


def _message(body: bytes) -> str:
    """The daemon's ``{"message": ...}``, else the start of the body."""
    try:
        message = json.loads(body).get("message")
    except (ValueError, AttributeError):
        message = None
    return str(message) if message else body[:200].decode("utf-8", "replace").strip()
