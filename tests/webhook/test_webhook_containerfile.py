"""The plain multi-stage Containerfile (public python:3.11-slim) passes stopsignal's own lint
and runs the webhook the same way as the offline image (containers/webhook.Containerfile),
which the image end-to-end test builds and probes."""

from __future__ import annotations

from pathlib import Path

from test_webhook_lint_own import lint_cli
from webhook_support import REPO

from stopsignal.config import Config
from stopsignal.engine import lint_paths

PUBLIC = REPO / "Containerfile"
OFFLINE = REPO / "containers" / "webhook.Containerfile"


def test_public_containerfile_passes_lint() -> None:
    result = lint_paths([str(PUBLIC)], Config())
    assert result.containers == 1 and not result.errors
    assert lint_cli(PUBLIC) == {"findings": [], "errors": []}


def test_lint_would_catch_a_shell_form_entrypoint(tmp_path: Path) -> None:
    broken = tmp_path / "Containerfile"
    broken.write_text(PUBLIC.read_text().replace(
        'ENTRYPOINT ["/opt/stopsignal/bin/python", "-m", "stopsignal", "webhook", "serve"]',
        "ENTRYPOINT /opt/stopsignal/bin/python -m stopsignal webhook serve"))
    assert broken.read_text() != PUBLIC.read_text()
    assert lint_paths([str(broken)], Config()).findings


def test_both_images_run_the_webhook_alike() -> None:
    public, offline = PUBLIC.read_text(), OFFLINE.read_text()
    assert public.count("\nFROM ") == 2 and "AS build" in public
    assert "docker.io/library/python:3.11-slim" in public
    for line in ("USER 65532:65532", "EXPOSE 8443", "STOPSIGNAL SIGTERM",
                 ('CMD ["--tls-cert", "/etc/stopsignal/tls/tls.crt", "--tls-key", '
                 '"/etc/stopsignal/tls/tls.key"]'), "PYTHONDONTWRITEBYTECODE=1"):
        assert line in public and line in offline, line
    entry = '"-m", "stopsignal", "webhook", "serve"]'
    assert entry in public and entry in offline
