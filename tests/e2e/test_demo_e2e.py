"""`stopsignal demo` reproduces each of the article's experiments on real containers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import stopsignal

from report_pages import check_demo_page
from stopsignal.demo.scenarios import IDS

pytestmark = [pytest.mark.podman, pytest.mark.usefixtures("images")]


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("demo-html")


@pytest.fixture(scope="module")
def demo(pages: Path) -> dict[str, dict[str, Any]]:
    done = stopsignal("demo", "--json", "--grace", "4", "--html", str(pages / "demo.html"),
                      timeout=600)
    assert done.returncode in (0, 1), done.stderr
    scenarios = json.loads(done.stdout)["scenarios"]
    assert [item["id"] for item in scenarios] == list(IDS)
    return {item["id"]: item for item in scenarios}


@pytest.mark.parametrize("scenario", IDS)
def test_scenario_matches_the_article(demo: dict[str, dict[str, Any]], scenario: str) -> None:
    item = demo[scenario]
    assert item["matches"], json.dumps(item, indent=2)


def test_what_each_workload_saw(demo: dict[str, dict[str, Any]]) -> None:
    saw = {key: item["observed"]["workload_saw"] for key, item in demo.items()}
    assert saw == {
        "podman-systemd": "clean halt",
        "openshift-4.9-systemd": "re-executed",
        "openshift-4.9-systemd-prestop": "clean halt",
        "openshift-4.9-demo-sigint": "Exiting by SIGINT",
        "openshift-4.9-demo-37": "Exiting by SIGTERM",
        "openshift-4.10-demo-37": "Exiting by SIGRTMIN+3",
        "openshift-4.10-systemd": "clean halt",
    }


def test_openshift_49_kills_systemd_at_the_end_of_the_grace_period(
        demo: dict[str, dict[str, Any]]) -> None:
    observed = demo["openshift-4.9-systemd"]["observed"]
    assert observed["signal_sent"] == "SIGTERM"
    assert observed["killed"] and observed["exit_code"] == 137
    assert observed["seconds"] >= 4.0  # not before the grace period ends


def test_the_lifecycle_hook_halts_systemd(demo: dict[str, dict[str, Any]]) -> None:
    item = demo["openshift-4.9-systemd-prestop"]
    assert item["observed"]["prestop_ok"] is True
    # as in the article's log: the runtime's SIGTERM re-executes systemd mid-shutdown,
    # and the halt still completes
    assert item["observed"]["re_executed"] is True
    assert item["observed"]["graceful"] and item["observed"]["exit_code"] == 0
    assert item["engine"] == "openshift@4.9"


def test_html_report_renders_every_scenario(demo: dict[str, dict[str, Any]],
                                            pages: Path) -> None:
    # The page the same run wrote, as headless Chromium renders it.
    check_demo_page(pages / "demo.html", pages,
                    {key: item["matches"] for key, item in demo.items()})


def test_no_engine_could_run_a_scenario_exits_2() -> None:
    done = stopsignal("demo", "--on", "docker", "--docker-host", "unix:///nonexistent/d.sock",
                      "--json", timeout=300)
    assert done.returncode == 2, done.stdout + done.stderr
    scenarios = json.loads(done.stdout)["scenarios"]
    assert scenarios and all(item["matches"] is None for item in scenarios)
    assert all("Docker is not reachable" in item["skipped"] for item in scenarios)


@pytest.mark.parametrize(("on", "only"), [("podman", "docker-20.10-systemd"),
                                          ("docker", "podman-systemd")])
def test_only_a_scenario_of_an_engine_not_run_is_a_usage_error(on: str, only: str) -> None:
    done = stopsignal("demo", "--on", on, "--only", only)
    assert done.returncode == 2 and "add it to --on" in done.stderr
    assert len(done.stderr.splitlines()) == 1
