"""Conformance bookkeeping without engines: agreement, verified cells, the checked-in report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cli_runner import invoke
from stopsignal.probing.conformance import (
    CASES,
    LOOP,
    Case,
    agreement,
    render_markdown,
    run,
    verified_cells,
)
from stopsignal.runtimes.matrix import row_for

REPO = Path(__file__).resolve().parents[2]
BASE = "localhost/debian-systemd:bookworm"
CASE_KEYS = {"id", "engine", "version", "predicted", "observed", "agrees", "note"}
PREDICTED_KEYS = {"outcome", "signal", "graceful"}
OBSERVED_KEYS = {"signal", "graceful", "exit_code", "seconds", "log"}


def case(engine: str, version: str, column: str | None, predicted: int | None,
         seen: int | None, agrees: bool = True, pid1: str | None = None) -> dict[str, Any]:
    return {"id": f"{engine}-x", "engine": engine, "version": version, "title": "t",
            "column": column, "pid1": pid1, "agrees": agrees, "note": "",
            "predicted": {"outcome": "sent", "signal": predicted, "graceful": True,
                          "effective_signal": predicted},
            "observed": {"signal": seen, "graceful": True, "exit_code": 0, "seconds": 1.0,
                         "saw": "clean halt", "log": []}}


def test_agreement_compares_verdict_and_signal() -> None:
    predicted = {"graceful": True, "signal": 37, "effective_signal": 37}
    assert agreement(predicted, {"graceful": True, "signal": 37})
    assert agreement(predicted, {"graceful": True, "signal": None})  # log names none
    assert not agreement(predicted, {"graceful": False, "signal": 37})
    assert not agreement(predicted, {"graceful": True, "signal": 15})
    unknown = {"graceful": None, "signal": 2, "effective_signal": 2}
    assert agreement(unknown, {"graceful": True, "signal": 2})
    # The program's verdict is unknown: then its log must name the predicted signal.
    assert not agreement(unknown, {"graceful": False, "signal": None})


def test_engine_versions_land_in_their_matrix_rows() -> None:
    assert row_for("docker", "20.10.24") == "docker@27.5"
    assert row_for("docker", "28.1.0") == "docker@28.0"
    assert row_for("containerd", "1.6.20") == "containerd@1.6"
    assert row_for("containerd", "1.3.4") == "containerd@1.3"


def test_only_agreeing_signal_cases_verify_a_cell() -> None:
    report = {"cases": [
        case("cri", "1.6.20", "SIGRTMIN+3", 37, 37),
        case("docker", "20.10.24", "37", 37, None),  # the log named no signal
        case("docker", "20.10.24", "SIGINT", 2, 2, agrees=False),
        case("podman", "4.3.1", "RTMIN+3", 37, 37, pid1="systemd"),  # systemd mode decides
    ]}
    assert verified_cells(report) == {("containerd@1.6", "SIGRTMIN+3")}


def test_checked_in_report_is_a_real_run_with_every_case() -> None:
    report = json.loads((REPO / "docs" / "conformance.json").read_text())
    assert set(report["engines"]) == {"podman", "docker", "cri"}
    ids = {c["id"] for c in report["cases"]}
    expected = {f"{engine}-{c.slug}" for c in CASES for engine in c.engines}
    assert ids == expected
    for item in report["cases"]:
        assert set(item) >= CASE_KEYS
        assert set(item["predicted"]) >= PREDICTED_KEYS
        assert set(item["observed"]) >= OBSERVED_KEYS
    page = render_markdown(report, report["date"])
    assert "cri-systemd-sigrtmin3-no-env" in page and report["date"] in page


def test_no_engine_reachable_exits_2_in_one_line() -> None:
    result = invoke(["conformance", "--on", "docker", "--docker-host",
                     "unix:///nonexistent/docker.sock", "--json"])
    assert result.exit_code == 2
    assert "docker skipped: Docker is not reachable" in result.output
    assert "Traceback" not in result.output


def test_unknown_engine_is_a_usage_error() -> None:
    result = invoke(["conformance", "--on", "cri-o"])
    assert result.exit_code == 2 and "--on takes" in result.output


@pytest.mark.podman
def test_a_case_on_real_podman_has_the_documented_fields() -> None:
    """A shell loop as PID 1 ignores SIGTERM: the model says killed, and podman kills it."""
    loop = Case("shell-loop", "sh -c loop as PID 1", BASE, engines=("podman",), command=LOOP)
    report = run(["podman"], cases=(loop,)).as_dict()
    assert report["skipped"] == [] and report["engines"]["podman"].startswith("podman@")
    [item] = report["cases"]
    assert set(item) >= CASE_KEYS
    assert (item["id"], item["engine"]) == ("podman-shell-loop", "podman")
    assert item["version"] == report["engines"]["podman"].removeprefix("podman@")
    assert item["predicted"]["outcome"] == "sent" and item["predicted"]["signal"] == 15
    assert item["predicted"]["graceful"] is False
    observed = item["observed"]
    assert set(observed) >= OBSERVED_KEYS and isinstance(observed["log"], list)
    assert observed["graceful"] is False and observed["exit_code"] == 137
    assert observed["seconds"] >= 3.0  # the grace period ran out
    assert item["agrees"] is True and isinstance(item["note"], str)


@pytest.mark.parametrize("value", ["cri-o", ",", "podman,kubernetes"])
def test_demo_and_conformance_read_on_alike(value: str) -> None:

    for command in ("conformance", "demo"):
        result = invoke([command, "--on", value])
        assert result.exit_code == 2, result.output
        assert f"--on takes podman, docker, cri; got {value!r}" in result.output
