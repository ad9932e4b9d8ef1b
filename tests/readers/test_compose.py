"""The compose reader."""

from __future__ import annotations

import textwrap

import pytest

from stopsignal.model import SourceKind
from stopsignal.readers import read_text
from stopsignal.readers.compose import parse_duration

COMPOSE = textwrap.dedent("""\
    services:
      db:
        image: ${DB_IMAGE:-postgres:16}
        stop_signal: SIGINT
        stop_grace_period: 1m30s
        init: true
        entrypoint: ["docker-entrypoint.sh"]
        command: postgres -c 'shared_buffers=256MB'
        environment:
          POSTGRES_PASSWORD: secret
        labels: ["stopsignal.io/ignore=shell-pid1"]
      web:
        build:
          context: ./web
          dockerfile: Containerfile
        command: ["nginx", "-g", "daemon off;"]
        environment: [A=1]
      worker:
        build: ./worker
        tty: true
    x-common: {}
    """)


def test_services() -> None:
    result = read_text(COMPOSE, "deploy/compose.yaml")
    assert result.kind is SourceKind.COMPOSE and not result.errors
    db, web, worker = result.containers
    assert (db.name, db.object, db.image) == ("db", "service db", "postgres:16")
    assert db.stop_signal == "SIGINT" and db.grace == 90 and db.init
    assert db.command == ("docker-entrypoint.sh",)
    assert db.args == ("postgres", "-c", "shared_buffers=256MB")
    assert db.args_raw == "postgres -c 'shared_buffers=256MB'" and db.command_raw is None
    assert db.env == (("POSTGRES_PASSWORD", "secret"),)
    assert db.annotations == (("stopsignal.io/ignore", "shell-pid1"),)
    assert (db.location.line, db.location.column, db.location.yaml_path) == (
        2, 3, ("services", "db"))
    where = {key: (loc.line, loc.yaml_path) for key, loc in db.locations}
    assert where["stop_signal"] == (4, ("services", "db", "stop_signal"))
    assert where["grace"][0] == 5 and where["command"][0] == 7 and where["args"][0] == 8
    assert web.build_context == "deploy/web"
    assert web.build_dockerfile == "deploy/web/Containerfile"
    assert web.args == ("nginx", "-g", "daemon off;") and web.env == (("A", "1"),)
    assert worker.build_context == "deploy/worker" and worker.build_dockerfile is None
    assert worker.tty and worker.image is None


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("10s", 10), ("1m30s", 90), ("500ms", 0.5), ("1h", 3600), ("1.5s", 1.5), ("2", 2),
     ("", None), ("soon", None), ("10x", None)],
)
def test_durations(text: str, seconds: float | None) -> None:
    assert parse_duration(text) == seconds


def test_a_bad_duration_is_an_error() -> None:
    text = "services:\n  a:\n    image: x\n    stop_grace_period: soon\n"
    result = read_text(text, "compose.yml")
    (error,) = result.errors
    assert error.line == 4 and "stop_grace_period" in error.message


def test_recognised_by_content() -> None:
    text = "services:\n  app:\n    image: nginx\n"
    result = read_text(text, "stack.yml")
    assert result.kind is SourceKind.COMPOSE and result.containers[0].name == "app"
    result = read_text("services:\n  - not compose\n", "other.yml")
    assert result.kind is None and result.skipped
