from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from webhook_support import HERE, PYTHON, CertDir, Server, start_server, write_certs


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory) -> CertDir:
    return write_certs(tmp_path_factory.mktemp("certs"))


@pytest.fixture
def stub_server(tmp_path: Path) -> Iterator[Server]:
    """The real HTTPS server (uvicorn, TLS, reload) around stub seams, on loopback."""
    cert_dir = write_certs(tmp_path / "certs")
    server = start_server(
        lambda port: [PYTHON, str(HERE / "stub_server.py"), str(cert_dir.cert),
                      str(cert_dir.key), str(port)],
        cert_dir, tmp_path / "server.log")
    yield server
    if server.process.poll() is None:
        server.process.kill()
        server.process.wait()
