"""The real server on 127.0.0.1 under abuse (bounded in count and time): idle connections,
slowloris heads and bodies, oversized bodies, a connection flood and a stop with a stalled
client, while real reviews keep being answered. Short limits (``stub_server.py ... tight``)
keep it quick; memory and latency under the full load are measured by
benchmarks/webhook_abuse.py, not asserted here."""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from webhook_support import HERE, PYTHON, Server, admission_review, start_server, write_certs

from stopsignal.webhook.app import DRAIN_LIMIT, MAX_BODY

POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
       "spec": {"containers": [{"name": "web", "image": "img"}]}}
CLOSED_WITHIN = 10.0  # seconds: every limit here is at most 2 s; this bounds the test


@pytest.fixture
def tight(tmp_path: Path) -> Iterator[Server]:
    certs = write_certs(tmp_path / "certs")
    server = start_server(lambda port: [PYTHON, str(HERE / "stub_server.py"), str(certs.cert),
                                        str(certs.key), str(port), "tight"],
                          certs, tmp_path / "server.log")
    yield server
    if server.process.poll() is None:
        server.process.kill()
        server.process.wait()


def _tcp(server: Server) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=CLOSED_WITHIN)
    sock.settimeout(CLOSED_WITHIN)
    return sock


def _tls(server: Server) -> ssl.SSLSocket:
    context = ssl.create_default_context(cafile=str(server.certs.ca))
    return context.wrap_socket(_tcp(server), server_hostname="localhost")


def _closed(sock: socket.socket) -> bool:
    """True when the server closes the connection (whatever it said first)."""
    try:
        while sock.recv(65536):
            pass
    except (ConnectionResetError, ssl.SSLError):
        return True
    except TimeoutError:
        return False
    return True


def _status(sock: socket.socket) -> int:
    data = b""
    with contextlib.suppress(ConnectionResetError, ssl.SSLError):
        while b"\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return int(data.split()[1]) if data.startswith(b"HTTP/1.1") else 0


def _review(server: Server, uid: str) -> int:
    body = json.dumps(admission_review(POD, uid=uid)).encode()
    with _tls(server) as sock:
        sock.sendall(b"POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                     b"application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        return _status(sock)


def test_idle_connections_are_closed_before_and_after_the_handshake(tight: Server) -> None:
    with _tcp(tight) as raw, _tls(tight) as idle:
        assert _closed(raw) and _closed(idle)
    assert _review(tight, "after-idle") == 200


def test_slowloris_heads_and_bodies_are_cut(tight: Server) -> None:
    with _tls(tight) as head, _tls(tight) as body:
        body.sendall(b"POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n"
                     b"\r\n{")
        started = time.monotonic()
        for byte in b"POST /mutate HTTP/1.1\r\nX-Slow: aaaaaaaa":
            try:
                head.sendall(bytes([byte]))
            except OSError:
                break
            time.sleep(0.2)
            if time.monotonic() - started > CLOSED_WITHIN:
                break
        assert _closed(head)
        assert _status(body) == 408


def test_oversized_bodies_are_refused_while_reading(tight: Server) -> None:
    with _tls(tight) as declared:
        declared.sendall(b"POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n"
                         b"\r\n" % (MAX_BODY + DRAIN_LIMIT + 1))
        assert _status(declared) == 413
    with _tls(tight) as chunked:
        chunked.sendall(b"POST /mutate HTTP/1.1\r\nHost: localhost\r\n"
                        b"Transfer-Encoding: chunked\r\n\r\n")
        piece = b"x" * 65536
        with contextlib.suppress(OSError):
            for _ in range(64):  # 4 MiB, more than the 1 MiB budget of the tight server
                chunked.sendall(b"%x\r\n" % len(piece) + piece + b"\r\n")
        assert _status(chunked) in (413, 503)


def test_a_connection_flood_is_capped_and_reviews_continue(tight: Server) -> None:
    flood = [_tcp(tight) for _ in range(64)]
    try:
        time.sleep(0.3)
        with _tcp(tight) as extra:
            assert _closed(extra)  # over the cap: closed at once
    finally:
        for sock in flood:
            sock.close()
    time.sleep(0.3)
    assert _review(tight, "after-flood") == 200


def test_at_the_limit_the_longest_idle_connection_makes_room(tight: Server) -> None:
    idle = [_tls(tight) for _ in range(64)]  # the limit, every one past its handshake
    try:
        assert _review(tight, "at-the-limit") == 200
        assert _closed(idle[0])  # the oldest made room
    finally:
        for sock in idle:
            sock.close()


def test_reviews_are_answered_while_attackers_hold_connections(tight: Server) -> None:
    attackers = [_tcp(tight) for _ in range(20)] + [_tls(tight) for _ in range(10)]
    for sock in attackers[20:25]:
        sock.sendall(b"POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Length: 900000\r\n"
                     b"\r\n" + b"x" * 500_000)
    try:
        assert [_review(tight, f"during-{index}") for index in range(5)] == [200] * 5
    finally:
        for sock in attackers:
            sock.close()


def test_a_stop_with_a_stalled_client_drains_in_bounds_and_says_so(tight: Server,
                                                                  tmp_path: Path) -> None:
    with _tls(tight) as stalled:
        stalled.sendall(b"POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n"
                        b"\r\n{")
        time.sleep(0.2)
        tight.process.send_signal(signal.SIGTERM)
        code = tight.process.wait(timeout=CLOSED_WITHIN)  # raises if the drain hangs
    assert code == 0
    log = (tmp_path / "server.log").read_text()
    assert "CancelledError" not in log and "Traceback" not in log
    stopped = [json.loads(line) for line in log.splitlines()
               if line.startswith("{") and '"stopped"' in line]
    assert stopped[-1]["graceful"] is True and stopped[-1]["cancelled_tasks"] == 0
